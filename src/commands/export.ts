// Writes plan --export DIR: the export's files, replacing an earlier export
// there (the files its export.json lists), never anything else.
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../cli/errors.js';
import type { ExportFile, ExportIndex } from '../core/export/index.js';

async function previousFiles(dir: string): Promise<string[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsageError(`cannot read --export ${dir}: ${(error as Error).message}`);
  }
  if (entries.length === 0) return [];
  try {
    const index = JSON.parse(await readFile(join(dir, 'export.json'), 'utf8')) as ExportIndex;
    return ['README.md', 'export.json', ...Object.values(index.renditions).flat().map((r) => r.file)];
  } catch {
    return undefined;
  }
}

export async function writeExport(dir: string, files: ExportFile[]): Promise<void> {
  const previous = await previousFiles(dir);
  if (previous === undefined) throw new UsageError(`--export ${dir} is not empty and holds no meshctl export (no export.json): choose a new or empty directory`);
  for (const file of new Set(previous)) await rm(join(dir, file), { force: true });
  // The directories the earlier export made go when it leaves them empty (deepest first).
  const parents = [...new Set(previous.flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))];
  for (const parent of parents.sort((a, b) => b.split('/').length - a.split('/').length)) {
    await rmdir(join(dir, parent)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'ENOENT') throw error;
    });
  }
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content);
  }
}
