// --max-in-flight on the built CLI: validated before anything is read, its
// old name --wave-size meaning the same, and both named in --help.
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const DEMO = ['--fixtures', 'fixtures/demo'];

describe('--max-in-flight', () => {
  it('refuses anything but a positive whole number, naming the flag given and what it wants', async () => {
    for (const [flag, value] of [['--max-in-flight', '0'], ['--max-in-flight', 'two'], ['--wave-size', '-1'], ['--max-in-flight', '1.5']]) {
      const result = await runCli(['apply', ...DEMO, '--dry-run', flag!, value!]);
      expect(result.code, `${flag} ${value}`).toBe(2);
      expect(result.stderr).toContain(`${flag} ${value} is not a positive whole number: give how many services may deploy at once, 1 or more (default 10)`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    for (const command of ['rollback', 'finalize']) {
      const result = await runCli([command, ...DEMO, '--dry-run', '--max-in-flight', '0']);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toContain('--max-in-flight 0 is not a positive whole number');
    }
  });

  it('takes --wave-size as another name for it, and refuses both at once', async () => {
    expect((await runCli(['apply', ...DEMO, '--dry-run', '--wave-size', '3'])).code).toBe(0);
    expect((await runCli(['apply', ...DEMO, '--dry-run', '--max-in-flight', '3'])).code).toBe(0);
    const both = await runCli(['apply', ...DEMO, '--dry-run', '--max-in-flight', '3', '--wave-size', '3']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--wave-size is another name for --max-in-flight: give only one of them');
  });

  it('is described in apply, rollback and finalize --help, --wave-size as its other name', async () => {
    const apply = (await runCli(['apply', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(apply).toContain('--max-in-flight <n> services deploying at once, as a sliding window');
    expect(apply).toContain('(default: 10)');
    expect(apply).toContain('--wave-size <n> another name for --max-in-flight, with the same meaning');
    for (const command of ['rollback', 'finalize']) expect((await runCli([command, '--help'])).stdout, command).toContain('--max-in-flight <n>');
  });
});
