// apply across two accounts when RAM is slow to show the consumer its way in
// (moto and the proxy's RAM stand-in): an invitation that shows seconds after
// the share is waited for and accepted; inside one Organization no invitation
// ever comes, and apply waits for the share's association to be ASSOCIATED.
// Either way it says which.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AwsProxy, ProxyOptions } from '../support/aws-proxy.js';
import { isolatedEnv, motoEnv, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';
import { seeded, TWO_ACCOUNTS } from '../support/seeded.js';
import { CALLER_ACCOUNT, TWO_ACCOUNTS_CONFIG } from '../support/two-accounts-estate.js';

let moto: Moto;
let proxy: AwsProxy | undefined;

beforeAll(async () => {
  moto = await startMoto();
});

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

afterAll(async () => {
  await moto?.stop();
});

async function applyTwoAccounts(ram: ProxyOptions['ram']) {
  ({ proxy } = await seeded(moto, TWO_ACCOUNTS, { ram }));
  proxy.endRollouts('*', 'COMPLETED');
  const dir = await mkdtemp(join(tmpdir(), 'meshctl-ram-'));
  await writeFile(join(dir, 'meshctl.yaml'), TWO_ACCOUNTS_CONFIG);
  const started = Date.now();
  const result = await runCli(['apply', '--yes', '--poll-interval', '1s', '--config', 'meshctl.yaml'], isolatedEnv(motoEnv(proxy.url)), dir);
  return { result, seconds: (Date.now() - started) / 1000, sent: proxy.calls.filter((c) => c.service === 'ram').map((c) => `${c.account} ${c.operation}`) };
}

describe('accepting a RAM share that RAM is slow to show', () => {
  it('waits for an invitation that shows seconds after the share, accepts it, and says so', async () => {
    const { result, seconds, sent } = await applyTwoAccounts({ invitationDelayMs: 3_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(seconds).toBeGreaterThan(3);
    expect(result.stderr).toMatch(/… waiting for RAM share [\w-]+: no invitation to account 123456789012 yet, and the share's association is ASSOCIATING \(0s of 300s\)/);
    expect(result.stderr).toMatch(/✔ ram AcceptResourceShareInvitation .*: invitation accepted \(it showed after \d+s\)/);
    expect(sent).toContain(`${CALLER_ACCOUNT} AcceptResourceShareInvitation`);
    expect(proxy!.ram.invitations()).toEqual([expect.objectContaining({ receiver: CALLER_ACCOUNT, status: 'ACCEPTED' })]);
  });

  it('inside one Organization no invitation comes: it waits for the association to be ASSOCIATED, and says so', async () => {
    const { result, sent } = await applyTwoAccounts({ sameOrganization: true, invitationDelayMs: 2_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(/✔ ram AcceptResourceShareInvitation .*: no invitation: the share's association with account 123456789012 is ASSOCIATED \(one AWS Organization with RAM sharing enabled\), after \d+s/);
    expect(sent).not.toContain(`${CALLER_ACCOUNT} AcceptResourceShareInvitation`);
    // The owner was asked, for this consumer, until RAM had made the association.
    expect(sent.filter((c) => c.endsWith('GetResourceShareAssociations')).length).toBeGreaterThan(1);
    // The caller's checkout then joined the shared namespace.
    expect(proxy!.calls.some((c) => c.account === CALLER_ACCOUNT && c.operation === 'UpdateService' && c.input?.cluster === 'storefront')).toBe(true);
  });
});
