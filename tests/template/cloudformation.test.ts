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

  it('scopes data permissions to resources, never "*" for DynamoDB, SQS or SSM actions', () => {
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const policies =
        (role.Properties?.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } }>) ??
        [];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const actions = ([] as string[]).concat(statement.Action);
        if (actions.some((a) => /^(dynamodb|sqs|ssm|events):/.test(a))) {
          expect(JSON.stringify(statement.Resource), `${id} ${actions.join(',')}`).not.toBe('"*"');
        }
        expect(
          actions.some((a) => a === '*' || a.endsWith(':*')),
          `${id} wildcard action`,
        ).toBe(false);
      }
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
    const limits = { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 };
    expect(settings).toEqual([
      { HttpMethod: 'POST', ResourcePath: '/~1login', ...limits },
      { HttpMethod: 'POST', ResourcePath: '/~1users', ...limits },
      { HttpMethod: 'POST', ResourcePath: '/~1token~1refresh', ...limits },
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

  it('keeps sessions in their own table, reached only by the log-in and session roles', () => {
    const sessionsTable = { 'Fn::GetAtt': ['UsersSessionsTable', 'Arn'] };
    const rolesReaching = ofType('AWS::IAM::Role')
      .filter(([, role]) => JSON.stringify(role.Properties?.Policies ?? []).includes(JSON.stringify(sessionsTable)))
      .map(([id]) => id);
    expect(rolesReaching.sort()).toEqual(['UsersLoginRole', 'UsersSessionsRole']);
    const table = template.Resources.UsersSessionsTable?.Properties;
    expect(table?.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table?.StreamSpecification).toBeUndefined();
  });
});
