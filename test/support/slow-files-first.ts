// The order vitest hands test files to its workers: the integration tests
// (against moto) and any file that starts moto or runs npm go first, as each
// takes seconds to minutes where a unit file takes milliseconds; so the last
// file to end on a worker is a short one. Within each kind, vitest's own
// order: longest first by its cache of durations, else largest first. On a
// fresh clone there is no cache (npm ci empties node_modules/.vite), and size
// alone would start big unit files before slow small ones.
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW = /\bstartMoto\(|\b(run|spawn|spawnSync|execFile|execFileSync)\('npm'/;

const isSlow = (file: TestSpecification) => file.moduleId.includes('/test/integration/') || SLOW.test(readFileSync(file.moduleId, 'utf8'));

export class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    return [...ordered.filter(isSlow), ...ordered.filter((f) => !isSlow(f))];
  }
}
