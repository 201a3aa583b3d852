// Infrastructure code that owns a service redeploys the definitions it holds:
// a move made behind its back lasts until its next deploy, and clients that
// already call the service by its Service Connect name break then.
import { describeOwner, exportFormatOf, nextDeploy, serviceOwner } from '../owner.js';
import type { ServiceRule } from './rule.js';

export const iacOwner: ServiceRule = {
  id: 'iac-owner',
  title: 'Owned by infrastructure code',
  scope: 'service',
  targets: ['appmesh', 'service-connect'],
  check({ service, taskDefinition, owners }) {
    const owner = owners && serviceOwner(service, taskDefinition, owners);
    if (!owner) return [];
    const by = owner.taggedOn === 'task-definition' ? ' (by its task definition\'s tags)' : '';
    const format = exportFormatOf(owner);
    const carry = `Carry the change in the owner's code: meshctl plan --export DIR --format ${format} writes exactly the planned change in ${format === 'cli' ? 'AWS CLI input JSON' : `${format}'s own terms`}${owner.stack ? ` for stack ${owner.stack}` : ''}, with the order to deploy it in (servers before clients).`;
    const hold = owner.allowMove
      ? `meshctl.yaml lets apply move it (owners.${owner.name}.allowMove): deploy the change through the owner before its next deploy runs.`
      : `apply holds this service until then; --allow-iac-owned (or owners.${owner.name}.allowMove: true in meshctl.yaml) moves it anyway.`;
    return [{
      severity: 'warning',
      message: `owned by ${describeOwner(owner)}${by}: its next deploy (${nextDeploy(owner)}) registers the old task definition and service configuration again and reverts the move; clients already calling it by its new name would break`,
      hint: `${carry} ${hold}`,
    }];
  },
};
