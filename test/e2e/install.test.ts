// Installing meshctl the ways the README gives, each into a temporary prefix,
// then `meshctl --version` and a plan on the demo fixtures: from a clone
// (npm ci, then the first `npx meshctl` and `npm install --global .`), from
// the packed tarball, from a git URL (npm/cli#8440 strikes there), and the
// single-file build run as `node meshctl.mjs` in an empty directory.
// Everything comes from npm's cache (`--prefer-offline`, `--offline`): the
// project's own `npm ci` has put every package there.
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

interface Run { code: number; stdout: string; stderr: string; ms: number }

/** The user's environment, without what the npm running this suite set for it (npm_*), and no color. */
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  NO_COLOR: '1',
};

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV): Promise<Run> {
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - start });
    });
  });
}

async function git(args: string[], cwd: string): Promise<void> {
  const result = await run('git', ['-c', 'user.name=meshctl-test', '-c', 'user.email=test@meshctl.invalid', ...args], cwd);
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

/** The working tree as it is (changes not committed included), committed in a repository of its own. */
async function repositoryOfWorkingTree(dir: string): Promise<void> {
  const listed = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], ROOT);
  await mkdir(dir, { recursive: true });
  for (const file of listed.stdout.split('\0').filter((f) => f && !f.startsWith('dist/'))) {
    await cp(join(ROOT, file), join(dir, file), { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // deleted, not yet committed
    });
  }
  await git(['init', '-q', '-b', 'main'], dir);
  await git(['add', '-A'], dir);
  await git(['commit', '-q', '-m', 'meshctl under test'], dir);
}

/** The installed CLI answers --version and plans the demo. */
async function expectWorking(meshctl: string[], cwd: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = await run(meshctl[0]!, [...meshctl.slice(1), '--version'], cwd);
  expect(version.stderr).toBe('');
  expect(version.stdout.trim()).toBe(pkg.version);
  const plan = await run(meshctl[0]!, [...meshctl.slice(1), 'plan', '--fixtures', join(ROOT, 'fixtures/demo')], cwd);
  expect(plan.stderr).toBe('');
  expect(plan.stdout).toMatch(/^Plan: \d+ to create, \d+ to update/m);
}

/** npm leaves the clones it prepared a git package in behind when it exits; remove those of our repository. */
async function removeNpmGitClonesOf(repo: string): Promise<void> {
  const tmp = join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_cacache', 'tmp');
  for (const entry of await readdir(tmp).catch(() => [] as string[])) {
    if (!entry.startsWith('git-clone')) continue;
    const config = await readFile(join(tmp, entry, '.git', 'config'), 'utf8').catch(() => '');
    if (config.includes(repo)) await rm(join(tmp, entry), { recursive: true, force: true });
  }
}

describe('installing meshctl', () => {
  let dir: string;
  let repo: string;
  let clone: string;
  let gitInstall: Promise<Run>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshctl-install-'));
    repo = join(dir, 'repo');
    clone = join(dir, 'clone');
    await repositoryOfWorkingTree(repo);
    // The slowest path runs while the others are proven.
    gitInstall = run('npm', ['install', '--global', '--prefix', join(dir, 'from-git'), `git+file://${repo}`, '--no-audit', '--no-fund'], dir);
    await git(['clone', '-q', repo, clone], dir);
  }, 60_000);

  afterAll(async () => {
    await gitInstall?.catch(() => undefined);
    await removeNpmGitClonesOf(repo);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('from a clone: npm ci builds without an install-script warning, the first npx does not rebuild, npm install --global . works', async () => {
    const ci = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], clone);
    expect(ci.code, ci.stderr).toBe(0);
    expect(`${ci.stdout}${ci.stderr}`).not.toContain('allowScripts');
    const built = (await stat(join(clone, 'dist/main.js'))).mtimeMs;

    // npx links the checkout into its own cache (a fresh one here, as on a first run) and runs prepare there.
    const npx = await run('npx', ['--cache', join(dir, 'npx-cache'), 'meshctl', 'plan', '--fixtures', 'fixtures/demo'], clone);
    expect(npx.stderr).toBe('');
    expect(npx.stdout).toMatch(/^Plan: \d+ to create/m);
    expect((await stat(join(clone, 'dist/main.js'))).mtimeMs).toBe(built);
    console.log(`first npx meshctl plan --fixtures fixtures/demo after npm ci: ${npx.ms} ms`);

    const install = await run('npm', ['install', '--global', '--prefix', join(dir, 'from-clone'), '.', '--offline', '--no-audit', '--no-fund'], clone);
    expect(install.code, install.stderr).toBe(0);
    await expectWorking([join(dir, 'from-clone/bin/meshctl')], dir);
  }, 180_000);

  it('from the packed tarball: only bin/ and dist/ ship, and it installs with no registry (every dependency is bundled)', async () => {
    const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], clone);
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['bin/meshctl', 'dist/main.js', 'package.json', 'README.md']));
    expect(paths.filter((p) => !/^(bin|dist)\//.test(p)).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);

    const install = await run('npm', ['install', '--global', '--prefix', join(dir, 'from-tarball'), join(dir, packed!.filename), '--offline', '--no-audit', '--no-fund'], dir);
    expect(install.code, install.stderr).toBe(0);
    expect(await readdir(join(dir, 'from-tarball/lib/node_modules/meshctl'))).not.toContain('node_modules');
    await expectWorking([join(dir, 'from-tarball/bin/meshctl')], dir);
  }, 120_000);

  it('the single-file build runs as node meshctl.mjs with nothing beside it', async () => {
    const bundle = await run('npm', ['run', 'bundle'], clone);
    expect(bundle.code, bundle.stderr).toBe(0);
    const alone = join(dir, 'alone');
    await mkdir(alone);
    await cp(join(clone, 'dist/meshctl.mjs'), join(alone, 'meshctl.mjs'));
    await expectWorking([process.execPath, join(alone, 'meshctl.mjs')], alone);
  }, 120_000);

  it('from a git URL, although npm prepares a global git install without its dependencies (npm/cli#8440)', async () => {
    const install = await gitInstall;
    expect(install.code, install.stderr).toBe(0);
    const installed = join(dir, 'from-git/lib/node_modules/meshctl');
    expect((await lstat(installed)).isDirectory()).toBe(true);
    expect(await readdir(installed)).toEqual(expect.arrayContaining(['bin', 'dist', 'package.json']));
    await expectWorking([join(dir, 'from-git/bin/meshctl')], dir);
  }, 180_000);
});
