/**
 * Each function's identity policies, read from the compiled CloudFormation template: the role its `Role` names,
 * that role's inline `Policies`, the `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources attached to it, and
 * the AWS managed policies of its `ManagedPolicyArns`. Of those, only the two the template uses are known here, by
 * their documented statements; any other AWS managed policy, a permissions boundary, a conditional IAM resource or
 * an intrinsic this file cannot resolve throws UnsupportedPolicyError (the stack refuses to start rather than allow).
 *
 * Intrinsics (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, AWS::NoValue and the pseudo parameters) are
 * resolved to the local stack's names and ARNs; a resource's Ref or attribute comes from a `resolve(logicalId,
 * attribute)` callback, by default `localResourceResolver`, which knows the resource types the template has.
 */
import { referencedLogicalId as refOrGetAttLogicalId, type CfnResource, type CfnTemplate } from '../cloudformation.js';
import { UnsupportedPolicyError, type NamedPolicy, type PolicyDocument } from './policy-evaluator.js';

/** A resource's Ref (attribute undefined) or Fn::GetAtt value. */
export type ResourceResolver = (logicalId: string, attribute: string | undefined) => unknown;

export interface IntrinsicContext {
  partition: string;
  region: string;
  accountId: string;
  stackName: string;
  resolve: ResourceResolver;
}

/** Marks a value `Ref: AWS::NoValue` removes from its list or object. */
const NO_VALUE = Symbol('AWS::NoValue');

function pseudo(name: string, context: IntrinsicContext): string | typeof NO_VALUE | undefined {
  switch (name) {
    case 'AWS::Partition':
      return context.partition;
    case 'AWS::Region':
      return context.region;
    case 'AWS::AccountId':
      return context.accountId;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return context.stackName;
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

function resolveSub(template: string, variables: Record<string, unknown>, context: IntrinsicContext, where: string): string {
  return template.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    if (name in variables) return String(resolveIntrinsics(variables[name], context, where));
    const pseudoValue = pseudo(name, context);
    if (typeof pseudoValue === 'string') return pseudoValue;
    const dot = name.indexOf('.');
    const value = dot < 0 ? context.resolve(name, undefined) : context.resolve(name.slice(0, dot), name.slice(dot + 1));
    if (typeof value !== 'string') throw new UnsupportedPolicyError(`the Fn::Sub reference \${${name}}`, where);
    return value;
  });
}

/** Resolves the intrinsic functions in a template value (policy documents, names, ARNs). */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext, where: string): unknown {
  const resolved = resolveValue(value, context, where);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolveValue(value: unknown, context: IntrinsicContext, where: string): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context, where)).filter((item) => item !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
    return resolveFunction(first[0], first[1], context, where);
  }
  return resolveObject(entries, context, where);
}

function resolveObject(entries: [string, unknown][], context: IntrinsicContext, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveValue(item, context, where);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function resolveFunction(name: string, argument: unknown, context: IntrinsicContext, where: string): unknown {
  const fail = () => new UnsupportedPolicyError(`the intrinsic ${name} ${JSON.stringify(argument)}`, where);
  switch (name) {
    case 'Ref': {
      if (typeof argument !== 'string') throw fail();
      const pseudoValue = pseudo(argument, context);
      if (pseudoValue !== undefined) return pseudoValue;
      return context.resolve(argument, undefined);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof argument === 'string' ? argument.split(/\.(.*)/s) : ((argument ?? []) as unknown[]);
      if (typeof logicalId !== 'string' || typeof attribute !== 'string') throw fail();
      return context.resolve(logicalId, attribute);
    }
    case 'Fn::Sub': {
      if (typeof argument === 'string') return resolveSub(argument, {}, context, where);
      if (Array.isArray(argument) && typeof argument[0] === 'string' && argument.length === 2) {
        return resolveSub(argument[0], (argument[1] ?? {}) as Record<string, unknown>, context, where);
      }
      throw fail();
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') throw fail();
      const parts = resolveValue(argument[1], context, where);
      if (!Array.isArray(parts)) throw fail();
      return parts.map(String).join(argument[0]);
    }
    case 'Fn::Select': {
      if (!Array.isArray(argument)) throw fail();
      const index = Number(resolveValue(argument[0], context, where));
      const list = resolveValue(argument[1], context, where);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) throw fail();
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') throw fail();
      const text = resolveValue(argument[1], context, where);
      if (typeof text !== 'string') throw fail();
      return text.split(argument[0]);
    }
    default:
      // Fn::If (template Conditions), Fn::ImportValue (another stack), Fn::FindInMap, ...: not resolved locally.
      throw fail();
  }
}

function literal(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new UnsupportedPolicyError(`${what} ${JSON.stringify(value)} (a string was expected)`, what);
  return value;
}

export interface LocalResolverOptions {
  partition?: string;
  region: string;
  accountId: string;
  stackName?: string;
  /** A queue's Ref (its URL) by queue name; default an AWS-style URL (policies name queues by ARN, not URL). */
  queueUrlOf?: (queueName: string) => string;
}

/**
 * Refs and attributes of the resource types a function's policies name, as the local stack sees them: tables, queues,
 * buses, rules, functions, roles, managed policies, topics, parameters, buckets, log groups. A table's StreamArn is
 * `<table ARN>/stream/*`: the local stream's label is only known at run time, so the pattern stands for any of them.
 */
export function localResourceResolver(template: CfnTemplate, options: LocalResolverOptions): ResourceResolver {
  const partition = options.partition ?? 'aws';
  const { region, accountId } = options;
  const stackName = options.stackName ?? '';
  const context = (): IntrinsicContext => ({ partition, region, accountId, stackName, resolve });
  const named = (resource: CfnResource, logicalId: string, property: string, fallback?: string): string => {
    const value = resource.Properties?.[property];
    if (value === undefined && fallback !== undefined) return fallback;
    return literal(resolveIntrinsics(value, context(), `${logicalId}.${property}`), `${logicalId}.${property}`);
  };
  const generated = (logicalId: string) => (stackName ? `${stackName}-${logicalId}` : logicalId);
  const resolve: ResourceResolver = (logicalId, attribute) => {
    const resource = template.Resources[logicalId];
    if (!resource) throw new UnsupportedPolicyError(`a reference to ${logicalId}, which is not a resource of the template`, logicalId);
    const unsupported = () =>
      new UnsupportedPolicyError(
        `${attribute === undefined ? 'Ref' : `Fn::GetAtt ${attribute}`} of ${logicalId} (${resource.Type})`,
        logicalId,
      );
    const arn = (service: string, rest: string, regional = true) =>
      `arn:${partition}:${service}:${regional ? region : ''}:${accountId}:${rest}`;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = named(resource, logicalId, 'TableName');
        if (attribute === undefined) return name;
        if (attribute === 'Arn') return arn('dynamodb', `table/${name}`);
        if (attribute === 'StreamArn') return arn('dynamodb', `table/${name}/stream/*`);
        throw unsupported();
      }
      case 'AWS::SQS::Queue': {
        const name = named(resource, logicalId, 'QueueName');
        const url = options.queueUrlOf?.(name) ?? `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
        if (attribute === undefined || attribute === 'QueueUrl') return url;
        if (attribute === 'Arn') return arn('sqs', name);
        if (attribute === 'QueueName') return name;
        throw unsupported();
      }
      case 'AWS::Events::EventBus': {
        const name = named(resource, logicalId, 'Name');
        if (attribute === undefined || attribute === 'Name') return name;
        if (attribute === 'Arn') return arn('events', `event-bus/${name}`);
        throw unsupported();
      }
      case 'AWS::Events::Rule': {
        const name = named(resource, logicalId, 'Name', generated(logicalId));
        const bus = resource.Properties?.EventBusName;
        const busName =
          bus === undefined
            ? 'default'
            : String(resolveIntrinsics(bus, context(), `${logicalId}.EventBusName`))
                .split('/')
                .pop();
        if (attribute === undefined) return name;
        if (attribute === 'Arn') return arn('events', busName === 'default' ? `rule/${name}` : `rule/${busName}/${name}`);
        throw unsupported();
      }
      case 'AWS::Lambda::Function': {
        const name = named(resource, logicalId, 'FunctionName');
        if (attribute === undefined) return name;
        if (attribute === 'Arn') return arn('lambda', `function:${name}`);
        throw unsupported();
      }
      case 'AWS::IAM::Role': {
        const name = named(resource, logicalId, 'RoleName', generated(logicalId));
        if (attribute === undefined) return name;
        if (attribute === 'Arn') return arn('iam', `role${rolePath(resource, logicalId, context())}${name}`, false);
        if (attribute === 'RoleId') return `AROA${logicalId.toUpperCase()}`;
        throw unsupported();
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = named(resource, logicalId, 'ManagedPolicyName', generated(logicalId));
        if (attribute === undefined || attribute === 'PolicyArn') return arn('iam', `policy/${name}`, false);
        throw unsupported();
      }
      case 'AWS::SNS::Topic': {
        const topicArn = arn('sns', named(resource, logicalId, 'TopicName', generated(logicalId)));
        if (attribute === undefined || attribute === 'TopicArn') return topicArn;
        throw unsupported();
      }
      case 'AWS::SSM::Parameter': {
        const name = named(resource, logicalId, 'Name', generated(logicalId));
        if (attribute === undefined) return name;
        throw unsupported();
      }
      case 'AWS::S3::Bucket': {
        const name = named(resource, logicalId, 'BucketName', generated(logicalId).toLowerCase());
        if (attribute === undefined) return name;
        if (attribute === 'Arn') return `arn:${partition}:s3:::${name}`;
        throw unsupported();
      }
      case 'AWS::Logs::LogGroup': {
        const name = named(resource, logicalId, 'LogGroupName', generated(logicalId));
        if (attribute === undefined) return name;
        if (attribute === 'Arn') return arn('logs', `log-group:${name}:*`);
        throw unsupported();
      }
      default:
        throw unsupported();
    }
  };
  return resolve;
}

function rolePath(resource: CfnResource, logicalId: string, context: IntrinsicContext): string {
  const path = resource.Properties?.Path;
  return path === undefined ? '/' : literal(resolveIntrinsics(path, context, `${logicalId}.Path`), `${logicalId}.Path`);
}

/**
 * The AWS managed policies the template attaches, as AWS documents them
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html and
 * .../AWSXRayDaemonWriteAccess.html). Keyed by the ARN without its partition.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
  'iam::aws:policy/AWSXRayDaemonWriteAccess': {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSXRayDaemonWriteAccess',
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:GetSamplingStatisticSummaries',
        ],
        Resource: ['*'],
      },
    ],
  },
};

export interface FunctionRole {
  functionName: string;
  functionLogicalId: string;
  roleLogicalId: string;
  roleName: string;
  roleArn: string;
  /** The principal AWS names in a denial: the role session Lambda opens, named after the function. */
  sessionArn: string;
  policies: NamedPolicy[];
}

export interface FunctionRoleOptions extends LocalResolverOptions {
  /** Overrides the default resolution (localResourceResolver) of a resource's Ref or attribute. */
  resolve?: ResourceResolver;
}

/** The logical id a Ref or Fn::GetAtt names (cloudformation.ts), or a `!Sub ${Role.Arn}`, which names the role too. */
function referencedLogicalId(value: unknown): string | undefined {
  const referenced = refOrGetAttLogicalId(value);
  if (referenced !== undefined) return referenced;
  const sub = (value as { 'Fn::Sub'?: unknown } | null | undefined)?.['Fn::Sub'];
  const match = typeof sub === 'string' ? /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(sub) : undefined;
  return match?.[1];
}

function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function assertUnconditional(resource: CfnResource & { Condition?: unknown }, logicalId: string): void {
  if (resource.Condition !== undefined) {
    throw new UnsupportedPolicyError(
      `the resource Condition ${JSON.stringify(resource.Condition)} (template conditions are not evaluated)`,
      logicalId,
    );
  }
}

/** The identity policies of one role of the template, resolved. */
function rolePolicies(template: CfnTemplate, roleLogicalId: string, roleName: string, context: IntrinsicContext): NamedPolicy[] {
  const role = template.Resources[roleLogicalId] as CfnResource & { Condition?: unknown };
  assertUnconditional(role, roleLogicalId);
  const props = role.Properties ?? {};
  if (props.PermissionsBoundary !== undefined) {
    throw new UnsupportedPolicyError('PermissionsBoundary (a boundary is not evaluated locally)', roleLogicalId);
  }
  const policies: NamedPolicy[] = [];
  const resolved = (value: unknown, where: string) => resolveIntrinsics(value, context, where);

  for (const [i, inline] of listOf(props.Policies).entries()) {
    const { PolicyName, PolicyDocument } = (inline ?? {}) as { PolicyName?: unknown; PolicyDocument?: unknown };
    const where = `${roleLogicalId}.Policies[${i}]`;
    const name = `${roleLogicalId}/${String(resolved(PolicyName, where))}`;
    policies.push({ name, document: resolved(PolicyDocument, name) });
  }

  const managedPolicyIds = new Set<string>();
  for (const [i, entry] of listOf(props.ManagedPolicyArns).entries()) {
    const where = `${roleLogicalId}.ManagedPolicyArns[${i}]`;
    const referenced = referencedLogicalId(entry);
    if (referenced && template.Resources[referenced]?.Type === 'AWS::IAM::ManagedPolicy') {
      managedPolicyIds.add(referenced);
      continue;
    }
    const arn = resolved(entry, where);
    if (typeof arn !== 'string') throw new UnsupportedPolicyError(`the managed policy ${JSON.stringify(entry)}`, where);
    const known = AWS_MANAGED_POLICIES[arn.replace(/^arn:[^:]+:/, '')];
    if (!known) {
      throw new UnsupportedPolicyError(
        `the managed policy ${arn} (only ${Object.keys(AWS_MANAGED_POLICIES)
          .map((key) => key.split('/').pop())
          .join(' and ')} are known locally)`,
        where,
      );
    }
    policies.push({ name: arn, document: known });
  }

  const attachedTo = (resource: CfnResource, logicalId: string) =>
    listOf(resource.Properties?.Roles).some((entry, i) => {
      if (referencedLogicalId(entry) === roleLogicalId) return true;
      return resolved(entry, `${logicalId}.Roles[${i}]`) === roleName;
    });
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const isPolicy = resource.Type === 'AWS::IAM::Policy';
    const isManaged = resource.Type === 'AWS::IAM::ManagedPolicy';
    if (!isPolicy && !isManaged) continue;
    if (!(isManaged && managedPolicyIds.has(logicalId)) && !attachedTo(resource, logicalId)) continue;
    assertUnconditional(resource as CfnResource & { Condition?: unknown }, logicalId);
    const name = isPolicy ? `${logicalId}/${String(resolved(resource.Properties?.PolicyName, `${logicalId}.PolicyName`))}` : logicalId;
    policies.push({ name, document: resolved(resource.Properties?.PolicyDocument, name) });
  }
  return policies;
}

/**
 * Every function of the template (AWS::Lambda::Function, by its FunctionName) with its role and that role's
 * identity policies, resolved for the local stack.
 */
export function functionRoles(template: CfnTemplate, options: FunctionRoleOptions): Map<string, FunctionRole> {
  const partition = options.partition ?? 'aws';
  const stackName = options.stackName ?? '';
  const resolve = options.resolve ?? localResourceResolver(template, options);
  const context: IntrinsicContext = { partition, region: options.region, accountId: options.accountId, stackName, resolve };
  const policiesByRole = new Map<string, NamedPolicy[]>();
  const functions = new Map<string, FunctionRole>();

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    assertUnconditional(resource as CfnResource & { Condition?: unknown }, logicalId);
    const props = resource.Properties ?? {};
    const functionName = literal(resolveIntrinsics(props.FunctionName, context, `${logicalId}.FunctionName`), `${logicalId}.FunctionName`);
    const roleLogicalId = referencedLogicalId(props.Role);
    if (!roleLogicalId || template.Resources[roleLogicalId]?.Type !== 'AWS::IAM::Role') {
      throw new UnsupportedPolicyError(
        `the role ${JSON.stringify(props.Role)} (not an AWS::IAM::Role of this template)`,
        `${logicalId}.Role`,
      );
    }
    const roleName = literal(resolve(roleLogicalId, undefined), `${roleLogicalId} Ref`);
    const roleArn = literal(resolve(roleLogicalId, 'Arn'), `${roleLogicalId}.Arn`);
    let policies = policiesByRole.get(roleLogicalId);
    if (!policies) {
      policies = rolePolicies(template, roleLogicalId, roleName, context);
      policiesByRole.set(roleLogicalId, policies);
    }
    functions.set(functionName, {
      functionName,
      functionLogicalId: logicalId,
      roleLogicalId,
      roleName,
      roleArn,
      sessionArn: `arn:${partition}:sts::${options.accountId}:assumed-role/${roleName}/${functionName}`,
      policies,
    });
  }
  return functions;
}
