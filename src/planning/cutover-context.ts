// What choosing a cut-over needs read, for precheck and plan alike: the
// target groups of the services leaving App Mesh and the listener rules that
// forward to them (read-edge.ts), and the configured infrastructure role
// (iam GetRole, in the role's account).
import { accountOfArn, type AccountSession } from '../aws/accounts.js';
import { readPerAccount } from '../aws/read-accounts.js';
import { readEdge } from '../aws/read-edge.js';
import { readInfrastructureRole } from '../aws/read-role.js';
import type { CutoverContext, CutoverSettings, InfrastructureRole } from '../core/cutover/ecs-strategy.js';
import { mergeEdgeStates, type EdgeState } from '../core/edge.js';
import type { Estate } from '../core/estate.js';
import { meshStatus } from '../core/service-facts.js';

/** Target groups of the services on App Mesh: where a twin or ECS's deployment moves traffic. */
export function leavingTargetGroups(estate: Estate): string[] {
  return estate.clusters.flatMap((c) => c.services)
    .filter((s) => meshStatus(s, estate.taskDefinitions[s.taskDefinitionArn]) === 'appmesh')
    .flatMap((s) => s.loadBalancers.map((lb) => lb.targetGroupArn).filter((a): a is string => !!a));
}

export async function readCutoverContext(accounts: AccountSession[], estate: Estate, settings: CutoverSettings, targetGroups = leavingTargetGroups(estate)): Promise<CutoverContext> {
  const role = settings.infrastructureRoleArn;
  const [edge, infrastructureRole] = await Promise.all([
    readPerAccount(accounts, targetGroups, accountOfArn, readEdge, mergeEdgeStates) as Promise<EdgeState>,
    role ? readPerAccount(accounts, [role], accountOfArn, (aws) => readInfrastructureRole(aws, role), (parts) => parts[0]!) as Promise<InfrastructureRole> : Promise.resolve(undefined),
  ]);
  return { settings, edge, ...(infrastructureRole && { role: infrastructureRole }) };
}
