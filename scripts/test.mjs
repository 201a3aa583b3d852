// npm test, once dist/ is built: type-checks src and the tests (tsc -p
// tsconfig.test.json) while vitest runs the suite, instead of before it. tsc
// keeps one core busy for about 25 s; run first, it held up every test while
// the other core idled, and the test workers spend seconds waiting anyway
// (deployment polls, timeouts, npm's disk). Exits non-zero when either fails;
// tsc's errors print after vitest's report. Arguments go to vitest.
// Plain JavaScript, like build.mjs: no build step before it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bin = (path) => fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url));

function run(script, args, { capture }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (capture) for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => { output += chunk; });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const [typecheck, tests] = await Promise.all([
  run(bin('typescript/bin/tsc'), ['-p', 'tsconfig.test.json'], { capture: true }),
  run(bin('vitest/vitest.mjs'), ['run', ...process.argv.slice(2)], { capture: false }),
]);
if (typecheck.code !== 0) process.stderr.write(`\ntsc -p tsconfig.test.json failed:\n${typecheck.output}`);
process.exitCode = typecheck.code || tests.code;
