// The state in a local directory (./.meshctl by default). Writes land whole
// (write, then rename); a create-only write is an O_EXCL create; a write or
// delete on a version compares the content's hash first. The journal lock
// keeps one writer per journal, so the compare-then-rename needs no more.
import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateConflictError, StateError, type StateBackend, type WriteCondition } from '../core/state.js';

const versionOf = (text: string) => `"${createHash('sha256').update(text).digest('hex').slice(0, 32)}"`;
const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** Creates the directory, saying clearly when it cannot. */
async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if (code(error) === 'EEXIST' || code(error) === 'ENOTDIR') throw new StateError(`${dir} is a file, not a directory: meshctl keeps its journals there; move the file away`);
    if (['EACCES', 'EPERM', 'EROFS'].includes(code(error) ?? '')) throw new StateError(`cannot write ${dir} (${code(error)}): meshctl keeps its journals there; run from a writable directory`);
    throw error;
  }
}

export function localState(dir: string): StateBackend {
  const pathOf = (name: string) => join(dir, name);
  const read = async (name: string) => {
    try {
      const text = await readFile(pathOf(name), 'utf8');
      return { text, etag: versionOf(text) };
    } catch (error) {
      if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return undefined;
      throw error;
    }
  };
  const requireVersion = async (name: string, condition: WriteCondition) => {
    if ('ifMatch' in condition && (await read(name))?.etag !== condition.ifMatch) throw new StateConflictError(pathOf(name), condition);
  };
  return {
    kind: 'local',
    where: dir,
    locate: pathOf,
    async list() {
      try {
        return (await readdir(dir)).sort();
      } catch (error) {
        if (code(error) === 'ENOENT') return [];
        throw error;
      }
    },
    read,
    async write(name, text, condition) {
      await ensureDir(dir);
      const path = pathOf(name);
      if (condition && 'ifNoneMatch' in condition) {
        try {
          const handle = await open(path, 'wx');
          await handle.writeFile(text);
          await handle.close();
          return versionOf(text);
        } catch (error) {
          if (code(error) === 'EEXIST') throw new StateConflictError(path, condition);
          if (['EACCES', 'EPERM', 'EROFS'].includes(code(error) ?? '')) throw new StateError(`cannot write ${path} (${code(error)}); run from a writable directory`);
          throw error;
        }
      }
      if (condition) await requireVersion(name, condition);
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, path);
      return versionOf(text);
    },
    async delete(name, ifMatch) {
      if (ifMatch !== undefined) {
        const current = await read(name);
        if (!current) return;
        if (current.etag !== ifMatch) throw new StateConflictError(pathOf(name), { delete: ifMatch });
      }
      await unlink(pathOf(name)).catch((error: unknown) => { if (code(error) !== 'ENOENT') throw error; });
    },
    deleteNow(name) {
      try {
        unlinkSync(pathOf(name));
      } catch {
        // already gone
      }
    },
  };
}
