/**
 * Checks the CloudFormation that AWS would get (`serverless package --stage dev`, packaged by
 * tests/template/global-setup.ts): no AWS account or Docker engine on CI machines, so this is what CI
 * can verify of the deploy path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../local/cloudformation.js';
import { localStackModel } from '../../local/cloudformation.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

let template: CfnTemplate;
let text: string;
const resources = () => Object.entries(template.Resources);
const ofType = (type: string) => resources().filter(([, r]) => r.Type === type);

beforeAll(async () => {
  template = await templateOf(PACKAGED_STAGES.find((stage) => stage.name === 'dev') as (typeof PACKAGED_STAGES)[number]);
  text = JSON.stringify(template);
});

// ---------------------------------------------------------------------------------------------
// IAM: every policy the template grants, normalised (a value or a list; literal strings, also as Fn::Sub or
// Fn::Join of literals), checked for wildcards. iamProblems is itself tested below on templates that break
// each rule once, since a clean template cannot show that a rule is checked at all.

interface Statement {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** `'*'` with a condition key that scopes it: the only grants allowed on every resource. */
const WILDCARD_RESOURCE_EXCEPTIONS: Record<string, string> = {
  // A SecureString's key, used only through SSM for that parameter (resources/users.yml UsersLoginRole).
  'kms:Decrypt': 'kms:ViaService',
};
/** The AWS managed policies a role may carry: logs and traces only. */
const MANAGED_POLICIES = [/:iam::aws:policy\/service-role\/AWSLambdaBasicExecutionRole$/, /:iam::aws:policy\/AWSXRayDaemonWriteAccess$/];

const listOf = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The string a value stands for when it is a literal (also through Fn::Sub without variables or Fn::Join of literals). */
function literal(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const intrinsic = value as { 'Fn::Sub'?: unknown; 'Fn::Join'?: [string, unknown[]] } | null;
  const sub = intrinsic?.['Fn::Sub'];
  const template = Array.isArray(sub) ? sub[0] : sub;
  if (typeof template === 'string') return template.includes('${') ? undefined : template;
  const join = intrinsic?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const parts = join[1].map(literal);
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** The ARN an intrinsic names when it is `!GetAtt <id>.Arn` (a queue policy's resources must be its queues). */
const getAttArnOf = (value: unknown) => {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  const [id, attribute] = typeof getAtt === 'string' ? getAtt.split('.') : Array.isArray(getAtt) ? getAtt : [];
  return attribute === 'Arn' ? (id as string) : undefined;
};

/** Every policy document of the template, with where it is and whether it is attached to a resource (has a Principal). */
function policyDocuments(
  template: CfnTemplate,
): Array<{ where: string; kind: 'identity' | 'resource' | 'trust'; statements: Statement[]; resourceId: string }> {
  const documents: Array<{ where: string; kind: 'identity' | 'resource' | 'trust'; statements: Statement[]; resourceId: string }> = [];
  const add = (where: string, kind: 'identity' | 'resource' | 'trust', document: unknown, resourceId: string) =>
    documents.push({
      where,
      kind,
      resourceId,
      statements: listOf((document as { Statement?: unknown } | undefined)?.Statement) as Statement[],
    });
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    // Inline policies: AWS::IAM::Role, User and Group.
    for (const policy of listOf(properties.Policies) as Array<{ PolicyName?: string; PolicyDocument?: unknown }>)
      add(`${id} (${resource.Type} inline ${policy.PolicyName ?? '?'})`, 'identity', policy.PolicyDocument, id);
    if (properties.AssumeRolePolicyDocument !== undefined) add(`${id} (trust policy)`, 'trust', properties.AssumeRolePolicyDocument, id);
    if (properties.PolicyDocument !== undefined)
      add(`${id} (${resource.Type})`, resource.Type.startsWith('AWS::IAM::') ? 'identity' : 'resource', properties.PolicyDocument, id);
    if (properties.KeyPolicy !== undefined) add(`${id} (key policy)`, 'resource', properties.KeyPolicy, id);
  }
  return documents;
}

/** What the template grants too widely, one line each; [] when nothing. */
function iamProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const { where, kind, statements, resourceId } of policyDocuments(template)) {
    for (const statement of statements) {
      if (statement.Effect !== 'Allow') continue; // a Deny may be as wide as it likes
      const actions = listOf(statement.Action).map((action) => literal(action) ?? JSON.stringify(action));
      const resources = listOf(statement.Resource);
      if (statement.NotAction !== undefined) problems.push(`${where}: Allow with NotAction (every other action)`);
      if (statement.NotResource !== undefined) problems.push(`${where}: Allow with NotResource (every other resource)`);
      for (const action of actions.filter((a) => a.includes('*'))) problems.push(`${where}: wildcard action ${action}`);
      const principals = listOf(statement.Principal).flatMap((principal) =>
        principal !== null && typeof principal === 'object' ? Object.values(principal).flatMap(listOf) : [principal],
      );
      if (principals.some((principal) => literal(principal) === '*')) problems.push(`${where}: Allow to every principal`);
      if (kind === 'trust') continue;
      if (kind === 'resource' && principals.length === 0) problems.push(`${where}: resource policy statement without a Principal`);
      if (resources.length === 0 && statement.NotResource === undefined)
        problems.push(`${where}: ${actions.join(',')} on no named resource`);
      for (const resource of resources) {
        const text = literal(resource);
        if (text === '*') {
          const scopedBy = actions.map((action) => WILDCARD_RESOURCE_EXCEPTIONS[action]);
          const conditionKeys = Object.values(statement.Condition ?? {}).flatMap((condition) => Object.keys(condition));
          if (!scopedBy.every((key) => key !== undefined && conditionKeys.includes(key)))
            problems.push(`${where}: ${actions.join(',')} on every resource ("*")`);
        } else if (text !== undefined && /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(text)) {
          problems.push(`${where}: ${actions.join(',')} on every resource of a service (${text})`);
        }
      }
      // A queue policy grants on its own queues only.
      if (template.Resources[resourceId]?.Type === 'AWS::SQS::QueuePolicy') {
        const queues = new Set(
          listOf(template.Resources[resourceId]?.Properties?.Queues).map((queue) => (queue as { Ref?: string } | null)?.Ref),
        );
        for (const resource of resources) {
          const queue = getAttArnOf(resource);
          if (literal(resource) === '*') continue; // flagged above
          if (!queue || !queues.has(queue)) problems.push(`${where}: grants on ${JSON.stringify(resource)}, not one of its queues`);
        }
      }
    }
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const arn of listOf(resource.Properties?.ManagedPolicyArns)) {
      const text = literal(arn) ?? (arn as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'];
      if (typeof text !== 'string' || !MANAGED_POLICIES.some((allowed) => allowed.test(text)))
        problems.push(`${id}: managed policy ${JSON.stringify(arn)} is not one of the allowed ones`);
    }
  }
  return problems;
}

describe('the IAM wildcard check (iamProblems) on templates that break one rule each', () => {
  const role = (statement: Statement, extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [statement] } }],
      ...extra,
    },
  });
  const table = { 'Fn::GetAtt': ['Table', 'Arn'] };
  const grant = (Action: unknown, Resource: unknown = table, more: Partial<Statement> = {}): Statement => ({
    Effect: 'Allow',
    Action,
    Resource,
    ...more,
  });
  const queuePolicy = (Resource: unknown, Principal: unknown = { Service: 'events.amazonaws.com' }) => ({
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Other: { Type: 'AWS::SQS::Queue', Properties: {} },
    QueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: 'Queue' }],
        PolicyDocument: { Statement: [{ Effect: 'Allow', Principal, Action: 'sqs:SendMessage', Resource }] },
      },
    },
  });
  const of = (resources: CfnTemplate['Resources']): CfnTemplate => ({ Resources: resources });

  it('control: scoped grants, a conditioned kms:Decrypt on "*", a Deny on "*", an own-queue policy pass', () => {
    expect(
      iamProblems(
        of({
          Role: role(grant(['dynamodb:GetItem', 'dynamodb:Query'], [table, { 'Fn::Sub': '${Table.Arn}/index/ByEmail' }]), {
            ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }],
          }),
          Kms: role(grant('kms:Decrypt', '*', { Condition: { StringEquals: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' } } })),
          Bucket: {
            Type: 'AWS::S3::BucketPolicy',
            Properties: { PolicyDocument: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] } },
          },
          ...queuePolicy({ 'Fn::GetAtt': ['Queue', 'Arn'] }),
        }),
      ),
    ).toEqual([]);
  });

  const cases: Array<[string, CfnTemplate, RegExp]> = [
    ['Resource "*"', of({ Role: role(grant('dynamodb:GetItem', '*')) }), /dynamodb:GetItem on every resource \("\*"\)/],
    ['Resource ["*"]', of({ Role: role(grant('dynamodb:GetItem', ['*'])) }), /dynamodb:GetItem on every resource \("\*"\)/],
    ['Resource "*" among others', of({ Role: role(grant('sqs:SendMessage', [table, '*'])) }), /sqs:SendMessage on every resource/],
    [
      'Resource "*" through Fn::Sub',
      of({ Role: role(grant('ssm:GetParameter', { 'Fn::Sub': '*' })) }),
      /ssm:GetParameter on every resource/,
    ],
    [
      'Resource "*" through Fn::Join',
      of({ Role: role(grant('events:PutEvents', { 'Fn::Join': ['', ['*']] })) }),
      /events:PutEvents on every resource/,
    ],
    [
      'every resource of a service',
      of({ Role: role(grant('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:123456789012:*')) }),
      /every resource of a service/,
    ],
    [
      'an action on "*" outside the exceptions',
      of({ Role: role(grant('lambda:InvokeFunction', '*')) }),
      /lambda:InvokeFunction on every resource/,
    ],
    ['kms:Decrypt on "*" without its condition', of({ Role: role(grant('kms:Decrypt', '*')) }), /kms:Decrypt on every resource/],
    ['Action "*"', of({ Role: role(grant('*')) }), /wildcard action \*$/],
    ['Action ["*"]', of({ Role: role(grant(['*'])) }), /wildcard action \*$/],
    ['a service:* action', of({ Role: role(grant(['dynamodb:GetItem', 'dynamodb:*'])) }), /wildcard action dynamodb:\*$/],
    ['a prefix wildcard action', of({ Role: role(grant('dynamodb:Get*')) }), /wildcard action dynamodb:Get\*$/],
    ['NotAction', of({ Role: role({ Effect: 'Allow', NotAction: 'iam:CreateUser', Resource: table }) }), /Allow with NotAction/],
    ['NotResource', of({ Role: role({ Effect: 'Allow', Action: 'dynamodb:GetItem', NotResource: table }) }), /Allow with NotResource/],
    ['a statement on no resource', of({ Role: role({ Effect: 'Allow', Action: 'dynamodb:GetItem' }) }), /on no named resource/],
    [
      'an AWS::IAM::Policy',
      of({ P: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [], PolicyDocument: { Statement: [grant('sqs:*')] } } } }),
      /^P \(AWS::IAM::Policy\): wildcard action sqs:\*$/,
    ],
    [
      'an AWS::IAM::ManagedPolicy',
      of({ P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: grant('dynamodb:PutItem', '*') } } } }),
      /^P \(AWS::IAM::ManagedPolicy\): dynamodb:PutItem on every resource/,
    ],
    ['a queue policy on "*"', of(queuePolicy('*')), /^QueuePolicy .*sqs:SendMessage on every resource/],
    ['a queue policy on another queue', of(queuePolicy({ 'Fn::GetAtt': ['Other', 'Arn'] })), /^QueuePolicy .*not one of its queues/],
    ['a queue policy for every principal', of(queuePolicy({ 'Fn::GetAtt': ['Queue', 'Arn'] }, '*')), /^QueuePolicy .*every principal/],
    [
      'a queue policy for every AWS principal',
      of(queuePolicy({ 'Fn::GetAtt': ['Queue', 'Arn'] }, { AWS: ['*'] })),
      /^QueuePolicy .*every principal/,
    ],
    [
      'a role anyone may assume',
      of({
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] } },
        },
      }),
      /trust policy.*every principal/,
    ],
    [
      'a managed policy beyond logs and traces',
      of({ Role: role(grant('dynamodb:GetItem'), { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }) }),
      /AdministratorAccess/,
    ],
  ];
  it.each(cases)('finds %s', (_case, template, problem) => {
    expect(iamProblems(template)).toEqual([expect.stringMatching(problem)]);
  });
});

describe('IAM of every packaged stage', () => {
  it.each(PACKAGED_STAGES.map((stage) => [stage.name, stage] as const))(
    'grants no wildcard in any policy (stage %s): every policy type, every form of "*"',
    async (_name, stage) => {
      expect(iamProblems(await templateOf(stage))).toEqual([]);
    },
  );
});

describe('packaged CloudFormation (stage dev)', () => {
  it('runs every function on a supported Node runtime with tracing on', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties?.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
  });

  it('gives every function one of the per-context roles, never a shared default role', () => {
    const roleIds = new Set(ofType('AWS::IAM::Role').map(([id]) => id));
    expect(roleIds.has('IamRoleLambdaExecution')).toBe(false);
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const role = (fn.Properties?.Role as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
      expect(roleIds.has(role as string), `${id} role ${role}`).toBe(true);
    }
  });

  it('encrypts tables and keeps point-in-time recovery on', () => {
    for (const [id, table] of ofType('AWS::DynamoDB::Table')) {
      expect(table.Properties?.SSESpecification, id).toEqual({ SSEEnabled: true });
      expect(table.Properties?.PointInTimeRecoverySpecification, id).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('gives every consumed queue a DLQ, and rules only SQS targets the local bus can emulate', () => {
    const model = localStackModel(template);
    const dlqs = new Set(model.queues.flatMap((q) => (q.redrive ? [q.redrive.deadLetterQueueName] : [])));
    // A stream mapping's on-failure destination is a dead-letter sink too (nothing consumes it).
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      const destination = (
        mapping.Properties?.DestinationConfig as { OnFailure?: { Destination?: { 'Fn::GetAtt'?: string[] } } } | undefined
      )?.OnFailure?.Destination;
      const queueId = destination?.['Fn::GetAtt']?.[0];
      const name = queueId ? template.Resources[queueId]?.Properties?.QueueName : undefined;
      if (typeof name === 'string') dlqs.add(name);
    }
    for (const queue of model.queues) {
      if (!dlqs.has(queue.name)) expect(queue.redrive, `${queue.name} has no DLQ`).toBeDefined();
    }
    for (const mapping of model.eventSourceMappings.filter((m) => m.source.kind === 'sqs')) {
      expect(mapping.reportBatchItemFailures, mapping.logicalId).toBe(true);
    }
  });

  it('contains no secret material', () => {
    expect(text).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY/);
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi)":"[A-Za-z0-9_-]{40,}"/); // private JWK members
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text.toLowerCase()).not.toMatch(/"(password|secret|pwd)"\s*:\s*"[^"]+"/);
  });

  it('has a dashboard whose body is valid JSON once substituted, and alarms that notify the alarm topic', () => {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0] ?? [];
    const [body, variables] = (dashboard?.Properties?.DashboardBody as { 'Fn::Sub': [string, Record<string, string>] })['Fn::Sub'];
    const substituted = body.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
      name === 'AWS::Region' ? 'us-east-1' : (variables[name] ?? `<${name}>`),
    );
    expect(substituted).not.toContain('<');
    const parsed = JSON.parse(substituted) as { widgets: unknown[] };
    expect(parsed.widgets.length).toBeGreaterThan(0);
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('names the REST API after the service and serves no stage-prefixed local paths', () => {
    const [api] = ofType('AWS::ApiGateway::RestApi');
    expect(api?.[1].Properties?.Name).toBe('ecommerce-dev');
  });

  it('throttles the credential routes at the gateway (method settings of the stage the deployment makes)', () => {
    const [deployment, ...others] = ofType('AWS::ApiGateway::Deployment');
    expect(others).toEqual([]);
    const settings = (deployment?.[1].Properties?.StageDescription as { MethodSettings?: unknown[] } | undefined)?.MethodSettings;
    // Per route (tests/template/throttling.test.ts checks the sizing): log-in and sign-up tight, refresh for the population.
    expect(settings).toEqual([
      { HttpMethod: 'POST', ResourcePath: '/~1login', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      { HttpMethod: 'POST', ResourcePath: '/~1users', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      { HttpMethod: 'POST', ResourcePath: '/~1token~1refresh', ThrottlingRateLimit: 250, ThrottlingBurstLimit: 500 },
    ]);
    // Each one names a method the API really has (a renamed route must not silently lose its limit).
    const resourcePath = (id: string | undefined): string => {
      const resource = id ? template.Resources[id] : undefined; // undefined: the API's root
      if (!resource) return '';
      const parent = (resource.Properties?.ParentId as { Ref?: string } | undefined)?.Ref;
      return `${resourcePath(parent)}~1${resource.Properties?.PathPart as string}`;
    };
    const methods = ofType('AWS::ApiGateway::Method').map(
      ([, m]) => `${m.Properties?.HttpMethod as string} /${resourcePath((m.Properties?.ResourceId as { Ref?: string }).Ref)}`,
    );
    for (const setting of settings as Array<{ HttpMethod: string; ResourcePath: string }>)
      expect(methods).toContain(`${setting.HttpMethod} ${setting.ResourcePath}`);
  });

  it('keeps sessions in their own table, reached only by the roles of log-in, refresh, log-out and revoke-all', () => {
    const sessionsTable = { 'Fn::GetAtt': ['UsersSessionsTable', 'Arn'] };
    const rolesReaching = ofType('AWS::IAM::Role')
      .filter(([, role]) => JSON.stringify(role.Properties?.Policies ?? []).includes(JSON.stringify(sessionsTable)))
      .map(([id]) => id);
    expect(rolesReaching.sort()).toEqual(['UsersLoginRole', 'UsersLogoutRole', 'UsersRefreshRole', 'UsersRevokeSessionsRole']);
    const table = template.Resources.UsersSessionsTable?.Properties;
    expect(table?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table?.StreamSpecification).toBeUndefined();
  });
});
