// Failures below AWS get one line naming the endpoint and the likely cause,
// never a JavaScript error class or OpenSSL internals, and never a hang.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, runCli } from '../support/cli.js';

let html: Server;
let silent: Server;
let htmlUrl: string;
let silentUrl: string;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  html = createServer((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  // Accepts the connection and never answers.
  silent = createServer(() => undefined);
  htmlUrl = await listen(html);
  silentUrl = await listen(silent);
});

afterAll(() => {
  html.closeAllConnections();
  silent.closeAllConnections();
  html.close();
  silent.close();
});

const env = (extra: Record<string, string> = {}) => isolatedEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1', ...extra });

function expectOneLine(result: { code: number | null; stderr: string }, message: string | RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/SyntaxError|TypeError|SSL routines|openssl|\bat .*\(.*:\d+:\d+\)/);
}

describe('AWS endpoints that fail below AWS', () => {
  it('an HTML error page from a proxy', async () => {
    expectOneLine(await runCli(['inspect', '--endpoint-url', htmlUrl], env()),
      `ecs:ListClusters: ${htmlUrl} answered HTTP 500 with something that is not an AWS response`);
  });

  it('https to a plain-HTTP port', async () => {
    const url = htmlUrl.replace('http:', 'https:');
    expectOneLine(await runCli(['inspect', '--endpoint-url', url], env()),
      `ecs:ListClusters: the TLS handshake with ${url} failed (the port answers plain HTTP: use http:// in --endpoint-url)`);
  });

  it('an endpoint URL that is not one', async () => {
    expectOneLine(await runCli(['inspect', '--endpoint-url', 'notaurl'], env()), '--endpoint-url notaurl is not an endpoint URL');
    expectOneLine(await runCli(['inspect'], env({ AWS_ENDPOINT_URL: 'ftp://x' })), 'AWS_ENDPOINT_URL ftp://x is not an endpoint URL');
  });

  it('an endpoint that accepts and never answers ends at --request-timeout, not in a hang', async () => {
    // Measured, not only read in the message: the run ends once the configured time passed (one attempt: AWS_MAX_ATTEMPTS=1), and long before the 30 s default;
    // 3s takes 2 s longer than 1s (a timeout scaled wrong, twice as long say, would not).
    const elapsed: number[] = [];
    for (const seconds of [1, 3]) {
      const started = performance.now();
      expectOneLine(await runCli(['inspect', '--endpoint-url', silentUrl, '--request-timeout', `${seconds}s`], env()),
        new RegExp(`ecs:ListClusters: no answer from ${silentUrl} within ${seconds}s \\(--request-timeout; 1 attempt, ${seconds}s in all\\)`));
      elapsed.push(performance.now() - started);
      expect(elapsed.at(-1)).toBeGreaterThanOrEqual(seconds * 1000);
      expect(elapsed.at(-1)).toBeLessThan(seconds * 1000 + 5000);
    }
    expect(elapsed[1]! - elapsed[0]!).toBeGreaterThan(1500);
    expect(elapsed[1]! - elapsed[0]!).toBeLessThan(3000);
    expectOneLine(await runCli(['inspect', '--endpoint-url', silentUrl, '--request-timeout', 'soon'], env()), '--request-timeout soon is not a duration');
  });
});

describe('credentials and region as the AWS CLI takes them', () => {
  it('a --profile that does not exist is named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-profiles-'));
    await writeFile(join(dir, 'config'), '[profile dev]\nregion = us-east-1\n');
    expectOneLine(await runCli(['inspect', '--profile', 'prod'], env({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') })),
      `AWS profile prod not found in ${join(dir, 'config')} or ${join(dir, 'none')}`);
  });

  it('honours AWS_DEFAULT_REGION, and keeps the SDK\'s multi-line credential warnings out of the output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshctl-profiles-'));
    await writeFile(join(dir, 'config'), '[profile dev]\n');
    await writeFile(join(dir, 'credentials'), '[dev]\naws_access_key_id = a\naws_secret_access_key = b\n');
    const result = await runCli(['inspect', '--endpoint-url', htmlUrl], isolatedEnv({
      AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_PROFILE: 'dev', AWS_DEFAULT_REGION: 'eu-west-3', AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    }));
    // It got as far as the endpoint: the region came from AWS_DEFAULT_REGION, and the only line is the endpoint's failure.
    expectOneLine(result, `${htmlUrl} answered HTTP 500`);
    expect(result.stderr).not.toContain('WARNING');
  });
});
