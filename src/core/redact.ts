// Secrets never leave meshctl: not in fixtures, plan files, diffs or logs.
// Environment values are kept only as far as the checks need them (a DB URL's
// scheme, host and port); anything that looks like a credential is masked.

export const REDACTED = '****';

const SECRET_NAME = /(PASS(WORD|WD|PHRASE)?|SECRET|TOKEN|CREDENTIAL|PRIVATE[_-]?KEY|API[_-]?KEY|ACCESS[_-]?KEY|AUTH|SIGNING[_-]?KEY|SESSION[_-]?KEY|\bPWD\b|_PWD$)/i;
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;
// A long run of base64/hex with no dots or slashes-only is a key, not a hostname.
const OPAQUE_TOKEN = /^[A-Za-z0-9+/=_-]{32,}$/;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// scheme://user:password@host → scheme://user:****@host (also inside JDBC strings).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/?#\s]+)(@)/gi;
const QUERY_SECRET = /([?&;](?:password|passwd|pwd|secret|token|access_?key|api_?key|sig|signature)=)([^&;#\s]+)/gi;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Masks credentials embedded in any string (URLs, access key IDs, JWTs). */
export function redactValue(value: string): string {
  return value
    .replace(URL_PASSWORD, `$1${REDACTED}$3`)
    .replace(QUERY_SECRET, `$1${REDACTED}`)
    .replace(ACCESS_KEY_ID, REDACTED)
    .replace(JWT, REDACTED);
}

export function redactEnvironmentValue(name: string, value: string): string {
  return isSecretName(name) || OPAQUE_TOKEN.test(value) ? REDACTED : redactValue(value);
}

const SECRET_KEYS = new Set(['secretaccesskey', 'sessiontoken', 'accesskeyid', 'password', 'secretstring', 'secretbinary']);

/**
 * Returns a deep copy with every secret masked: `environment` name/value lists,
 * credential-like fields, and credential-looking strings anywhere.
 */
export function redactDeep<T>(data: T): T {
  return walk(data, undefined) as T;
}

function walk(node: unknown, key: string | undefined): unknown {
  if (typeof node === 'string') {
    if (key !== undefined && SECRET_KEYS.has(key.toLowerCase())) return REDACTED;
    return redactValue(node);
  }
  if (Array.isArray(node)) {
    if (key === 'environment') return node.map(redactEnvironmentEntry);
    return node.map((item) => walk(item, undefined));
  }
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v, k);
    return out;
  }
  return node;
}

function redactEnvironmentEntry(entry: unknown): unknown {
  if (entry && typeof entry === 'object' && 'name' in entry && 'value' in entry) {
    const { name, value } = entry as { name: unknown; value: unknown };
    if (typeof name === 'string' && typeof value === 'string') {
      return { ...entry, value: redactEnvironmentValue(name, value) };
    }
  }
  return walk(entry, undefined);
}
