// Validates an operation input against the AWS SDK's own schema for it: no
// unknown members, required members present, scalars of the right type,
// unions with exactly one member. The SDK ships these schemas (Smithy static
// schemas), so this checks planned inputs where moto cannot (App Mesh).
import { createRequire } from 'node:module';
import { NormalizedSchema } from '@smithy/core/schema';

const require = createRequire(import.meta.url);

// Newer clients export their schemas from the package; the App Mesh client,
// frozen since App Mesh's end of support, keeps them in a submodule.
const SCHEMA_MODULES: Record<string, string> = {
  ecs: '@aws-sdk/client-ecs',
  appmesh: '@aws-sdk/client-app-mesh/dist-cjs/schemas/schemas_0.js',
  servicediscovery: '@aws-sdk/client-servicediscovery',
  elbv2: '@aws-sdk/client-elastic-load-balancing-v2',
  'application-autoscaling': '@aws-sdk/client-application-auto-scaling',
  cloudwatch: '@aws-sdk/client-cloudwatch',
  ram: '@aws-sdk/client-ram',
  route53: '@aws-sdk/client-route-53',
};

type StaticStruct = [number, string, string, unknown, string[], unknown[], number?];

function check(schema: NormalizedSchema, value: unknown, path: string, errors: string[]): void {
  if (value === undefined || value === null) return;
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`${path}: expected an object`);
      return;
    }
    const members = new Map(schema.structIterator());
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!members.has(key)) errors.push(`${path}.${key}: not a member of ${schema.getName()}`);
    }
    const raw = schema.getSchema() as unknown as StaticStruct;
    const required = typeof raw[6] === 'number' ? raw[4].slice(0, raw[6]) : [];
    for (const name of required) if (record[name] === undefined) errors.push(`${path}.${name}: required by ${schema.getName()}`);
    if (schema.isUnionSchema() && Object.values(record).filter((v) => v !== undefined).length !== 1) {
      errors.push(`${path}: union ${schema.getName()} needs exactly one member`);
    }
    for (const [name, member] of members) check(member, record[name], `${path}.${name}`, errors);
    return;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) errors.push(`${path}: expected a list`);
    else value.forEach((item, i) => check(schema.getValueSchema(), item, `${path}[${i}]`, errors));
    return;
  }
  if (schema.isMapSchema()) {
    if (typeof value !== 'object') errors.push(`${path}: expected a map`);
    else for (const [k, v] of Object.entries(value)) check(schema.getValueSchema(), v, `${path}.${k}`, errors);
    return;
  }
  if (schema.isStringSchema() && typeof value !== 'string') errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
  if (schema.isNumericSchema() && typeof value !== 'number') errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
  if (schema.isBooleanSchema() && typeof value !== 'boolean') errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
}

export function validateInput(service: string, operation: string, input: unknown): string[] {
  const schemas = require(SCHEMA_MODULES[service]!) as Record<string, unknown>;
  const op = schemas[`${operation}$`] as [number, string, string, unknown, () => unknown] | undefined;
  if (!op) return [`${service} has no operation ${operation}`];
  const errors: string[] = [];
  check(NormalizedSchema.of(op[4]() as never), input, operation, errors);
  return errors;
}
