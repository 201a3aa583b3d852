// Reads: the printed policies grant every read meshctl sends on "*" (most
// List and Describe actions take no resource), so a read's row needs only
// its action and page; where the reference names a resource, the row builds it.
import type { Scope } from '../arns.js';
import type { Requirement } from '../requirement.js';

export function read(action: string, page: string, resources: (s: Scope) => string[] = () => ['*']): Requirement {
  return { action, access: 'read', page, sid: 'MeshctlReadEstate', resources };
}
