// Plans and journals hold task definitions with secret-looking values masked.
// Before registering, the masked values are taken back from the revision the
// input was rewritten from (the plan's fingerprint proves it unchanged).
import type { ContainerDefinition } from './estate.js';
import { REDACTED } from './redact.js';
import type { RegisterTaskDefinitionInput } from './task-definition-input.js';

function restore(planned: unknown, source: unknown): unknown {
  if (typeof planned === 'string') {
    return planned.includes(REDACTED) && typeof source === 'string' ? source : planned;
  }
  if (Array.isArray(planned)) {
    const sources = Array.isArray(source) ? source : [];
    return planned.map((item, i) => {
      // Named entries (containers, environment variables) are matched by name, the rest by position.
      const name = item && typeof item === 'object' ? (item as { name?: unknown }).name : undefined;
      const match = name !== undefined ? sources.find((s) => s && typeof s === 'object' && (s as { name?: unknown }).name === name) : sources[i];
      return restore(item, match);
    });
  }
  if (planned && typeof planned === 'object') {
    const src = source && typeof source === 'object' ? (source as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(planned).map(([k, v]) => [k, restore(v, src[k])]));
  }
  return planned;
}

export function restoreSecrets(planned: RegisterTaskDefinitionInput, source: { containerDefinitions: ContainerDefinition[] }): RegisterTaskDefinitionInput {
  return restore(planned, source) as RegisterTaskDefinitionInput;
}
