/** True when every field of `wanted` is in `actual` with the same value (AWS adds defaults to what it returns). */
export function isSubset(wanted: unknown, actual: unknown): boolean {
  if (Array.isArray(wanted)) {
    return Array.isArray(actual) && wanted.length === actual.length && wanted.every((w, i) => isSubset(w, actual[i]));
  }
  if (wanted !== null && typeof wanted === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    return Object.entries(wanted).every(([k, v]) => v === undefined || isSubset(v, (actual as Record<string, unknown>)[k]));
  }
  return wanted === actual;
}
