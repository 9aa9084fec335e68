/**
 * Checks a compiled CloudFormation template against AWS's own resource specification, so a typo in
 * a resource type, a property, a required property, a Ref, a GetAtt, a Sub, a Condition or a DependsOn
 * fails in CI instead of in a deploy. Pure: it reads the template and the spec, nothing else.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, SpecDatabase } from '@aws-cdk/service-spec-types';

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
  Condition?: unknown;
}
export interface TemplateDocument {
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

// The spec is the db.json.gz of @aws-cdk/aws-service-spec 0.1.216 (published 2026-09-29, 1828
// resource types): the CloudFormation registry schemas, merged and patched by the CDK team. Loading
// it takes about 0.5 s and 130 MB of memory, so it is loaded once per process.
let spec: Promise<SpecDatabase> | undefined;
const loadSpec = (): Promise<SpecDatabase> => (spec ??= loadAwsServiceSpec());

interface Context {
  db: SpecDatabase;
  resources: Map<string, Resource | undefined>;
  resourceTypes: Map<string, string>;
  parameters: Set<string>;
  conditions: Set<string>;
  problems: string[];
}

/** Every problem found, one line each (where it is, what is wrong); empty when the template is fine. */
export async function checkTemplateAgainstSpec(template: TemplateDocument): Promise<string[]> {
  const db = await loadSpec();
  const ctx: Context = {
    db,
    resources: new Map(),
    resourceTypes: new Map(),
    parameters: new Set(Object.keys(template.Parameters ?? {})),
    conditions: new Set(Object.keys(template.Conditions ?? {})),
    problems: [],
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    ctx.resourceTypes.set(id, resource.Type);
    ctx.resources.set(id, db.lookup('resource', 'cloudFormationType', 'equals', resource.Type)[0]);
  }

  for (const [id, resource] of Object.entries(template.Resources)) {
    const at = `Resources.${id}`;
    const definition = ctx.resources.get(id);
    // Custom resources take any properties and attributes; everything else must be in the spec.
    if (!isCustomType(resource.Type)) {
      if (definition)
        ctx.problems.push(...checkProperties(ctx, resource.Properties ?? {}, definition.properties, `${at}.Properties`, resource.Type));
      else ctx.problems.push(`${at}: resource type ${resource.Type} is not in the CloudFormation spec`);
    }
    for (const dependency of ([] as unknown[]).concat(resource.DependsOn ?? [])) {
      if (typeof dependency !== 'string' || !ctx.resourceTypes.has(dependency)) {
        ctx.problems.push(`${at}.DependsOn: ${JSON.stringify(dependency)} is not a resource of this template`);
      }
    }
    if (resource.Condition !== undefined) checkConditionName(ctx, resource.Condition, `${at}.Condition`);
    walkIntrinsics(ctx, resource.Properties ?? {}, `${at}.Properties`);
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    const condition = (output as { Condition?: unknown }).Condition;
    if (condition !== undefined) checkConditionName(ctx, condition, `Outputs.${id}.Condition`);
    walkIntrinsics(ctx, output, `Outputs.${id}`);
  }
  walkIntrinsics(ctx, template.Conditions ?? {}, 'Conditions', true);
  return ctx.problems;
}

const isCustomType = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

function checkProperties(
  ctx: Context,
  values: Record<string, unknown>,
  allowed: Resource['properties'],
  at: string,
  owner: string,
): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const property = allowed[name];
    if (property) problems.push(...checkValue(ctx, value, [property.type, ...(property.previousTypes ?? [])], `${at}.${name}`));
    else problems.push(`${at}: ${owner} has no property ${name}`);
  }
  for (const [name, property] of Object.entries(allowed)) {
    if (property.required && !(name in values)) problems.push(`${at}: ${owner} requires property ${name}`);
  }
  return problems;
}

/**
 * Problems of `value` against the first of `types` it fits (a property may take its current type or
 * any type it had before; a union takes any member), or those of the closest fit when none does.
 */
function checkValue(ctx: Context, value: unknown, types: PropertyType[], at: string): string[] {
  let closest: string[] | undefined;
  for (const type of types) {
    const problems = checkAgainst(ctx, value, type, at);
    if (problems.length === 0) return [];
    if (!closest || problems.length < closest.length) closest = problems;
  }
  return closest ?? [];
}

function checkAgainst(ctx: Context, value: unknown, type: PropertyType, at: string): string[] {
  const intrinsic = intrinsicOf(value);
  if (intrinsic) {
    // Only Fn::If has a known shape (either branch); other functions resolve at deploy time.
    if (intrinsic[0] !== 'Fn::If' || !Array.isArray(intrinsic[1])) return [];
    return intrinsic[1]
      .slice(1)
      .flatMap((branch: unknown, i) => (isNoValue(branch) ? [] : checkAgainst(ctx, branch, type, `${at}.Fn::If[${i + 1}]`)));
  }
  switch (type.type) {
    case 'json':
      return [];
    case 'union':
      return checkValue(ctx, value, type.types, at);
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected a list, got ${kindOf(value)}`];
      return value.flatMap((element, i) => checkAgainst(ctx, element, type.element, `${at}[${i}]`));
    case 'map':
      if (!isRecord(value)) return [`${at}: expected a map, got ${kindOf(value)}`];
      return Object.entries(value).flatMap(([key, element]) => checkAgainst(ctx, element, type.element, `${at}.${key}`));
    case 'tag':
      return isRecord(value) ? [] : [`${at}: expected a tag object, got ${kindOf(value)}`];
    case 'ref': {
      if (!isRecord(value)) return [`${at}: expected an object, got ${kindOf(value)}`];
      const definition = ctx.db.get('typeDefinition', type.reference);
      return checkProperties(ctx, value, definition.properties, at, definition.name);
    }
    default:
      // string, number, integer, boolean, date-time, null: any scalar (CloudFormation converts them).
      return isRecord(value) || Array.isArray(value) ? [`${at}: expected a scalar (${type.type}), got ${kindOf(value)}`] : [];
  }
}

/**
 * Ref, Fn::GetAtt, Fn::Sub and Fn::If anywhere below `value` must name what exists; so must
 * { Condition: name } in the Conditions section (elsewhere "Condition" is an ordinary key, as in IAM).
 */
function walkIntrinsics(ctx: Context, value: unknown, at: string, inConditions = false): void {
  if (Array.isArray(value)) {
    value.forEach((element, i) => walkIntrinsics(ctx, element, `${at}[${i}]`, inConditions));
    return;
  }
  if (!isRecord(value)) return;
  const [name, argument] = intrinsicOf(value) ?? [];
  const here = `${at}.${name}`;
  if (name === 'Ref') checkRef(ctx, argument, here);
  if (name === 'Fn::GetAtt') checkGetAtt(ctx, argument, here);
  if (name === 'Fn::Sub') checkSub(ctx, argument, here);
  if (name === 'Fn::If') checkConditionName(ctx, Array.isArray(argument) ? argument[0] : argument, here);
  if (inConditions && Object.keys(value).length === 1 && 'Condition' in value) checkConditionName(ctx, value.Condition, `${at}.Condition`);
  for (const [key, child] of Object.entries(value)) walkIntrinsics(ctx, child, `${at}.${key}`, inConditions);
}

function checkRef(ctx: Context, target: unknown, at: string): void {
  if (typeof target !== 'string') {
    ctx.problems.push(`${at}: Ref takes a logical id or parameter name, got ${JSON.stringify(target)}`);
  } else if (!ctx.resourceTypes.has(target) && !ctx.parameters.has(target) && !PSEUDO_PARAMETERS.has(target)) {
    ctx.problems.push(`${at}: Ref to ${target}, which is not a resource, parameter or pseudo parameter`);
  }
}

function checkGetAtt(ctx: Context, argument: unknown, at: string): void {
  let id: unknown;
  let attribute: unknown;
  if (typeof argument === 'string') {
    // Logical ids have no dots; attributes may (Endpoint.Address).
    const dot = argument.indexOf('.');
    [id, attribute] = dot < 0 ? [argument, undefined] : [argument.slice(0, dot), argument.slice(dot + 1)];
  } else if (Array.isArray(argument) && argument.length === 2) {
    [id, attribute] = argument as unknown[];
  }
  if (typeof id !== 'string' || attribute === undefined) {
    ctx.problems.push(`${at}: expected "Resource.Attribute" or [Resource, Attribute], got ${JSON.stringify(argument)}`);
    return;
  }
  // An attribute given by an intrinsic (a Ref to a parameter) is only known at deploy time.
  if (typeof attribute === 'string') checkAttribute(ctx, id, attribute, at);
  else if (!ctx.resourceTypes.has(id)) ctx.problems.push(`${at}: GetAtt of ${id}, which is not a resource of this template`);
}

function checkAttribute(ctx: Context, id: string, attribute: string, at: string): void {
  const type = ctx.resourceTypes.get(id);
  if (type === undefined) {
    ctx.problems.push(`${at}: GetAtt of ${id}.${attribute}, but ${id} is not a resource of this template`);
    return;
  }
  const definition = ctx.resources.get(id);
  // Unknown types are reported once, as such; custom resources and nested stack outputs are free-form.
  if (!definition || isCustomType(type) || (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.'))) return;
  if (!(attribute in definition.attributes)) {
    const known = Object.keys(definition.attributes).join(', ') || 'none';
    ctx.problems.push(`${at}: ${type} has no attribute ${attribute} (it has: ${known})`);
  }
}

function checkSub(ctx: Context, argument: unknown, at: string): void {
  const [text, variables] = Array.isArray(argument) ? (argument as unknown[]) : [argument, undefined];
  if (typeof text !== 'string') return;
  const locals = new Set(isRecord(variables) ? Object.keys(variables) : []);
  for (const [, reference] of text.matchAll(/\$\{([^}]*)\}/g)) {
    // ${!Literal} is an escaped literal, not a reference.
    if (reference === undefined || reference.startsWith('!') || locals.has(reference)) continue;
    const dot = reference.indexOf('.');
    if (dot < 0) checkRef(ctx, reference, `${at} \${${reference}}`);
    else checkAttribute(ctx, reference.slice(0, dot), reference.slice(dot + 1), `${at} \${${reference}}`);
  }
}

function checkConditionName(ctx: Context, name: unknown, at: string): void {
  if (typeof name !== 'string' || !ctx.conditions.has(name)) {
    ctx.problems.push(`${at}: ${JSON.stringify(name)} is not a condition of this template`);
  }
}

/** [name, argument] when `value` is an intrinsic function call (a one-key object: Ref or Fn::*). */
function intrinsicOf(value: unknown): [string, unknown] | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined) return undefined;
  return name === 'Ref' || name.startsWith('Fn::') ? [name, value[name]] : undefined;
}

const isNoValue = (value: unknown) => isRecord(value) && value.Ref === 'AWS::NoValue';
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const kindOf = (value: unknown) => (Array.isArray(value) ? 'a list' : isRecord(value) ? 'an object' : JSON.stringify(value));
