// Output references in step inputs: {"$ref": stepId, "path": "a.b"}, or a
// value made of one (a prefix and the resource part of an ARN).
import { isStepOutputRef, type StepOutputRef } from './model.js';

export class UnresolvedReferenceError extends Error {}

function valueAt(output: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), output);
}

/** The value a reference stands for, from what its step output holds. */
function derived(ref: StepOutputRef, value: unknown): unknown {
  if (!ref.arnResource && ref.prefix === undefined) return value;
  const text = String(value);
  return `${ref.prefix ?? ''}${ref.arnResource ? text.split(':').slice(5).join(':') : text}`;
}

/** For people: every reference shown as "<path of step>", the value apply will put there. */
export function showRefs<T>(input: T): T {
  const walk = (node: unknown): unknown => {
    if (isStepOutputRef(node)) return `<${node.prefix ?? ''}${node.arnResource ? 'resource part of ' : ''}${node.path} of ${node.$ref}>`;
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
      return derived(node, value);
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(input) as T;
}
