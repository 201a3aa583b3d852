import { meshStatus } from '../service-facts.js';
import type { EstateRule } from './rule.js';

export const APPMESH_END_OF_SUPPORT = '2026-09-30';

export const appmeshEndOfSupport: EstateRule = {
  id: 'appmesh-end-of-support',
  title: 'App Mesh end of support',
  scope: 'estate',
  targets: ['appmesh', 'service-connect'],
  check(estate, { target }) {
    if (target === 'appmesh') {
      return [{
        severity: 'warning',
        message: `AWS ended support for App Mesh on ${APPMESH_END_OF_SUPPORT}; new migrations should land on ECS Service Connect`,
        hint: 'Run meshctl precheck --target service-connect.',
      }];
    }
    const onAppMesh = estate.clusters.flatMap((c) => c.services
      .filter((s) => meshStatus(s, estate.taskDefinitions[s.taskDefinitionArn]) === 'appmesh')
      .map((s) => `${c.name}/${s.name}`));
    if (onAppMesh.length === 0) return [];
    return [{
      severity: 'warning',
      message: `${onAppMesh.length} service(s) still run on App Mesh, unsupported since ${APPMESH_END_OF_SUPPORT}: ${onAppMesh.join(', ')}`,
      hint: 'meshctl plan --target service-connect moves them over.',
    }];
  },
};
