// Validates CloudFormation resource properties against CloudFormation's
// published resource specification, as @aws-cdk/aws-service-spec carries it
// (built from the CloudFormation registry's resource provider schemas and the
// resource specification, updated weekly): property names, types, nested
// shapes, required properties (of resources created whole; a resource that
// lists only what changes is checked for names and types).
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { PropertyType, SpecDatabase } from '@aws-cdk/service-spec-types';

type Properties = Record<string, { type: PropertyType; required?: boolean }>;

const INTRINSIC = ['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::ImportValue', 'Fn::Join'];
const isIntrinsic = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value)
  && Object.keys(value).length === 1 && INTRINSIC.includes(Object.keys(value)[0]!);

export interface CfnValidator {
  validate(type: string, properties: Record<string, unknown>, partial: boolean): string[];
}

export async function cfnValidator(): Promise<CfnValidator> {
  const db: SpecDatabase = await loadAwsServiceSpec();

  const checkProperties = (props: Properties, value: unknown, path: string, partial: boolean, errors: string[]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push(`${path}: expected an object`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const prop = props[key];
      if (!prop) errors.push(`${path}.${key}: not a property (known: ${Object.keys(props).sort().join(', ')})`);
      else checkType(prop.type, v, `${path}.${key}`, errors);
    }
    if (!partial) {
      for (const [key, prop] of Object.entries(props)) if (prop.required && (value as Record<string, unknown>)[key] === undefined) errors.push(`${path}.${key}: required`);
    }
  };

  const checkType = (type: PropertyType, value: unknown, path: string, errors: string[]): void => {
    if (isIntrinsic(value)) return;
    switch (type.type) {
      case 'string': case 'date-time':
        // CloudFormation takes numbers and booleans where it wants strings.
        if (!['string', 'number', 'boolean'].includes(typeof value)) errors.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
        return;
      case 'integer': case 'number':
        if (typeof value !== 'number' && !(typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))) errors.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') errors.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
        return;
      case 'json': case 'null':
        return;
      case 'tag':
        checkProperties({ Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } }, value, path, false, errors);
        return;
      case 'array':
        if (!Array.isArray(value)) errors.push(`${path}: expected a list`);
        else value.forEach((v, i) => checkType(type.element, v, `${path}[${i}]`, errors));
        return;
      case 'map':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) errors.push(`${path}: expected a map`);
        else for (const [k, v] of Object.entries(value)) checkType(type.element, v, `${path}.${k}`, errors);
        return;
      case 'ref': {
        const definition = db.get('typeDefinition', type.reference.$ref);
        checkProperties(definition.properties as Properties, value, path, false, errors);
        return;
      }
      case 'union': {
        const tries = type.types.map((t) => { const e: string[] = []; checkType(t, value, path, e); return e; });
        if (tries.every((e) => e.length > 0)) errors.push(...tries[0]!);
        return;
      }
      default:
        errors.push(`${path}: unknown specification type ${JSON.stringify(type)}`);
    }
  };

  return {
    validate(type, properties, partial) {
      const resource = db.lookup('resource', 'cloudFormationType', 'equals', type);
      if (resource.length !== 1) return [`${type}: no such resource type in the specification`];
      const errors: string[] = [];
      checkProperties(resource.only().properties as Properties, properties, type, partial, errors);
      return errors;
    },
  };
}
