// Secrets never leave meshctl: not in fixtures, plan files, diffs or logs.
// Environment values are kept only as far as the checks need them (a DB URL's
// scheme, host and port); anything that looks like a credential is masked,
// in whatever shape it hides: URLs, JVM flags, JSON documents, command lines.

export const REDACTED = '****';

const SECRET_NAME = /(PASS(WORD|WD|PHRASE)?|SECRET|TOKEN|CREDENTIAL|PRIVATE[_-]?KEY|API[_-]?KEY|ACCESS[_-]?KEY|AUTH|SIGNING[_-]?KEY|SESSION[_-]?KEY|\bPWD\b|_PWD$)/i;
const ACCESS_KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g;
// A long run of base64/hex with no dots or slashes-only is a key, not a hostname.
const OPAQUE_TOKEN = /^[A-Za-z0-9+/=_-]{32,}$/;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
// scheme://user:password@host → scheme://user:****@host (also inside JDBC strings).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/?#\s]+)(@)/gi;
const QUERY_SECRET = /([?&;](?:password|passwd|pwd|secret|token|access_?key|api_?key|sig|signature)=)([^&;#\s]+)/gi;

// A word that names a secret inside a flag or key (db.password, api-token, client_secret).
const SECRET_WORD = '(?:password|passwd|passphrase|pwd|secret|token|credentials?|api[_-]?key|access[_-]?key|private[_-]?key|auth)';
// key=value where the key names a secret: -Ddb.password=x (JAVA_OPTS), --api-token=x, PASSWORD=x in a shell line.
const SECRET_ASSIGNMENT = new RegExp(`((?:^|[\\s,;'"(])-{0,2}[\\w.-]*${SECRET_WORD}[\\w.-]*=)([^\\s,;'"&)]+)`, 'gi');
// --password x on a command line held in one string.
const SECRET_FLAG_VALUE = new RegExp(`((?:^|\\s)--?[\\w.-]*${SECRET_WORD}[\\w.-]*\\s+)([^\\s'"-][^\\s'"]*)`, 'gi');
const SECRET_FLAG = new RegExp(`^--?[\\w.-]*${SECRET_WORD}[\\w.-]*$`, 'i');

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A JSON document (config in an environment value) with the values of secret-named keys masked, or undefined when the string is not one. */
function redactJsonDocument(value: string): string | undefined {
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  let masked = false;
  const mask = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(mask);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => {
        if (isSecretName(k) && (typeof v === 'string' || typeof v === 'number')) {
          masked = true;
          return [k, REDACTED];
        }
        return [k, mask(v)];
      }));
    }
    return typeof node === 'string' ? redactValue(node) : node;
  };
  const out = JSON.stringify(mask(parsed));
  return masked || out !== JSON.stringify(parsed) ? out : undefined;
}

/** Masks credentials embedded in any string: URLs, key=value flags, JSON documents, access key IDs, JWTs. */
export function redactValue(value: string): string {
  const json = redactJsonDocument(value);
  if (json !== undefined) return json;
  return value
    .replace(URL_PASSWORD, `$1${REDACTED}$3`)
    .replace(QUERY_SECRET, `$1${REDACTED}`)
    .replace(SECRET_ASSIGNMENT, `$1${REDACTED}`)
    .replace(SECRET_FLAG_VALUE, `$1${REDACTED}`)
    .replace(ACCESS_KEY_ID, REDACTED)
    .replace(JWT, REDACTED);
}

/** A command or entry point as a list: the argument after a flag naming a secret is masked too (--api-token VALUE). */
function redactArguments(args: unknown[]): unknown[] {
  return args.map((arg, i) => {
    const previous = args[i - 1];
    if (typeof arg === 'string' && typeof previous === 'string' && SECRET_FLAG.test(previous) && !arg.startsWith('-')) return REDACTED;
    return walk(arg, undefined);
  });
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
    if (key === 'command' || key === 'entryPoint') return redactArguments(node);
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
