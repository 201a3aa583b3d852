// Builds the CLI with esbuild, every dependency bundled, so an installed meshctl
// needs nothing from the registry:
//   node scripts/build.mjs             dist/main.js and its chunks (what bin/meshctl runs; command
//                                      modules and the AWS SDK load only when a command needs them)
//   node scripts/build.mjs --single    dist/meshctl.mjs, one file runnable as `node meshctl.mjs` (CI)
//   node scripts/build.mjs --prepare   npm's prepare: builds dist/ only when its inputs changed
// Plain JavaScript on purpose: prepare runs where only Node is certain to be there.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', 'build-inputs.sha256');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** A hash of everything the bundle is made from: a rebuild with the same hash would write the same files. */
function inputsHash() {
  const files = [...filesUnder(join(ROOT, 'src')), ...['package.json', 'package-lock.json', 'scripts/build.mjs'].map((f) => join(ROOT, f))];
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * npm/cli#8440: a global install from git (`npm install -g github:…`) prepares
 * the clone with an `npm install` that inherits --global, so it installs no
 * dependency (esbuild and the libraries to bundle are missing) and instead
 * links the clone itself into the global prefix, where npm then unpacks the
 * finished package through the link into the clone it deletes. Install the
 * toolchain from the lockfile, as npm's documentation says it would, and put
 * back the empty directory that link replaced, so the package lands there.
 */
function repairGlobalGitInstall() {
  if (existsSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'))) return;
  process.stderr.write('meshctl: npm installed no build toolchain before prepare (a global install from git, npm/cli#8440): running npm ci in the clone first\n');
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  // The global install's settings reach this script as npm_config_* variables; a project install refuses some (allow-scripts).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_(global|prefix|allow_scripts|force)$/i.test(name)));
  const result = spawnSync(npm[0], [...npm.slice(1), 'ci', '--include=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  removeGlobalLinkToClone();
}

function removeGlobalLinkToClone() {
  const prefix = process.env.npm_config_prefix;
  if (process.env.npm_config_global !== 'true' || !prefix) return;
  const modules = process.platform === 'win32' ? join(prefix, 'node_modules') : join(prefix, 'lib', 'node_modules');
  const link = join(modules, pkg.name);
  if (existsSync(link) && lstatSync(link).isSymbolicLink() && realpathSync(link) === realpathSync(ROOT)) {
    // npm made the package's directory before it prepared the clone, and unpacks into it next.
    rmSync(link);
    mkdirSync(link);
  }
}

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The ES module builds of the AWS SDK, not its CommonJS ones: split into chunks, a CommonJS
  // module imported with import() would only expose `default`.
  mainFields: ['module', 'main'],
  minify: true,
  // Stack traces under --verbose map back to the sources; the sources themselves stay out of the map.
  sourcemap: true,
  sourcesContent: false,
  define: { MESHCTL_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS (parts of the AWS SDK) calls require() for Node's own modules.
  banner: { js: "import { createRequire as __meshctlRequire } from 'node:module'; const require = __meshctlRequire(import.meta.url);" },
  logLevel: 'warning',
};

async function buildDist() {
  const { build } = await import('esbuild');
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  await build({ ...common, entryPoints: [join(ROOT, 'src/cli/main.ts')], splitting: true, outdir: join(ROOT, 'dist') });
  writeFileSync(STAMP, `${inputsHash()}\n`);
}

async function buildSingleFile() {
  const { build } = await import('esbuild');
  await build({ ...common, entryPoints: [join(ROOT, 'src/cli/single-file.ts')], outfile: join(ROOT, 'dist', 'meshctl.mjs') });
}

const mode = process.argv[2];
if (mode === '--single') {
  await buildSingleFile();
} else if (mode === '--prepare') {
  repairGlobalGitInstall();
  const current = existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === inputsHash();
  if (!current) await buildDist();
} else {
  await buildDist();
}
