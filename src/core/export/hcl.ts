// A small HCL writer for the Terraform export: attributes, nested blocks,
// references and jsonencode(...) arguments written as JSON. Strings escape
// what HCL would read as a template (${ and %{), per the HCL native syntax
// specification ("Template Expressions").

export interface HclExpression {
  expression: string;
}

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue } | HclExpression;

export type HclBody = ({ kind: 'attr'; name: string; value: HclValue } | { kind: 'block'; name: string; labels?: string[]; body: HclBody } | { kind: 'comment'; text: string })[];

export const expression = (text: string): HclExpression => ({ expression: text });
const isExpression = (value: unknown): value is HclExpression => typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as HclExpression).expression === 'string' && Object.keys(value).length === 1;

/** A quoted string, in the escapes JSON and HCL share, with templates escaped. */
export function hclString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{')}"`;
}

function value(v: HclValue, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isExpression(v)) return v.expression;
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => typeof x !== 'object' || x === null || isExpression(x))) return `[${v.map((x) => value(x, inner)).join(', ')}]`;
    return `[\n${v.map((x) => `${inner}${value(x, inner)}`).join(',\n')},\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${hclString(k)} = ${value(x, inner)}`).join('\n')}\n${indent}}`;
}

/** jsonencode(...) of a value, its argument written as JSON (which HCL reads as the same value). */
export function jsonencode(data: unknown): HclExpression {
  const json = (v: unknown, indent: string): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return hclString(v);
    if (typeof v !== 'object') return String(v);
    const inner = `${indent}  `;
    if (Array.isArray(v)) return v.length === 0 ? '[]' : `[\n${v.map((x) => `${inner}${json(x, inner)}`).join(',\n')}\n${indent}]`;
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return entries.length === 0 ? '{}' : `{\n${entries.map(([k, x]) => `${inner}${hclString(k)}: ${json(x, inner)}`).join(',\n')}\n${indent}}`;
  };
  return expression(`jsonencode(${json(data, '  ')})`);
}

export function renderBody(body: HclBody, indent = ''): string {
  return body.map((item) => {
    if (item.kind === 'comment') return item.text.split('\n').map((l) => `${indent}# ${l}`).join('\n');
    if (item.kind === 'attr') return `${indent}${item.name} = ${value(item.value, indent)}`;
    const labels = (item.labels ?? []).map((l) => ` ${hclString(l)}`).join('');
    return `${indent}${item.name}${labels} {\n${renderBody(item.body, `${indent}  `)}\n${indent}}`;
  }).join('\n');
}
