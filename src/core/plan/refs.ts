// Output references in step inputs: {"$ref": stepId, "path": "a.b"}.
import { isStepOutputRef } from './model.js';

export class UnresolvedReferenceError extends Error {}

function valueAt(output: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), output);
}

/** For people: every reference shown as "<path of step>", the value apply will put there. */
export function showRefs<T>(input: T): T {
  const walk = (node: unknown): unknown => {
    if (isStepOutputRef(node)) return `<${node.path} of ${node.$ref}>`;
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(input) as T;
}

/** The input with every reference replaced by the value in the referenced step's output. */
export function resolveRefs<T>(input: T, outputs: ReadonlyMap<string, unknown>): T {
  const walk = (node: unknown): unknown => {
    if (isStepOutputRef(node)) {
      const value = valueAt(outputs.get(node.$ref), node.path);
      if (value === undefined) throw new UnresolvedReferenceError(`no ${node.path} in the output of step ${node.$ref}`);
      return value;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(input) as T;
}
