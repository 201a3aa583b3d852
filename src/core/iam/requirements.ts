// The table of what each operation meshctl can send requires from IAM, keyed
// "<service> <Operation>" as plan steps name them: every operation a plan may
// hold (src/core/plan/allowed-operations.ts), those shift sends, those apply
// sends around a step (lookups, waits, adopting), and every read. Each row
// names the AWS page it is taken from (see rows/). iam-policy builds its
// policies from it; test/unit/iam-evaluation.test.ts proves them against it.
import type { Requirement } from './requirement.js';
import { ACCOUNT } from './rows/account.js';
import { APP_MESH } from './rows/app-mesh.js';
import { CLOUD_MAP } from './rows/cloud-map.js';
import { ECS } from './rows/ecs.js';
import { LOAD_BALANCING } from './rows/load-balancing.js';
import { CLOUDWATCH, SCALING } from './rows/scaling.js';
import { SHARING } from './rows/sharing.js';

export const REQUIREMENTS: Readonly<Record<string, Requirement>> = {
  ...ECS, ...CLOUD_MAP, ...APP_MESH, ...LOAD_BALANCING, ...SCALING, ...CLOUDWATCH, ...SHARING, ...ACCOUNT,
};

/** Every read meshctl sends or needs: the printed policies grant them on "*". */
export const READ_ACTIONS: readonly string[] = [...new Set(Object.values(REQUIREMENTS).flatMap((row) => [
  ...(row.access === 'read' ? [row.action] : []),
  ...(row.dependent ?? []).filter((d) => d.access === 'read').map((d) => d.action),
]))].sort();
