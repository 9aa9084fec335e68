// The enforcer on the real compiled template of the local stage. The roles are being narrowed: these checks are about
// the mechanics (what a role grants is allowed, what it does not is denied), with expectations read from the template.
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../cloudformation.js';
import { createIamEnforcer, type IamEnforcer } from './index.js';
import { localTemplate } from './local-template.js';
import type { PolicyStatement } from './policy-evaluator.js';
import { captureSdkRequest, signedAs } from './sdk-capture.js';

const OPTIONS = { region: 'us-east-1', accountId: '000000000000', stackName: 'ecommerce-local' };
const ENFORCED = /^(dynamodb|sqs|events|lambda):/i;

let template: CfnTemplate;
let iam: IamEnforcer;
beforeAll(async () => {
  ({ template } = await localTemplate());
  iam = createIamEnforcer(template, OPTIONS);
}, 300_000);

const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** A role's statements, as the enforcer resolved them. */
const statementsOf = (functionName: string): PolicyStatement[] =>
  (iam.functions.get(functionName)?.policies ?? []).flatMap((policy) => {
    const { Statement } = policy.document as { Statement: PolicyStatement | PolicyStatement[] };
    return Array.isArray(Statement) ? Statement : [Statement];
  });
const tableArns = () =>
  Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
    .map((resource) => `arn:aws:dynamodb:us-east-1:000000000000:table/${String(resource.Properties?.TableName)}`);

describe('the enforcer on the compiled local template', () => {
  it('builds (every policy is within the supported subset) and knows every function by its name', () => {
    const names = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties?.FunctionName);
    expect(names.length).toBeGreaterThan(10);
    expect([...iam.functions.keys()].sort()).toEqual([...names].sort());
    for (const role of iam.functions.values()) {
      expect(role.sessionArn).toBe(`arn:aws:sts::000000000000:assumed-role/${role.roleName}/${role.functionName}`);
    }
  });

  it('a function may do what its role grants without conditions (every such action and resource of every role)', () => {
    let checked = 0;
    for (const functionName of iam.functions.keys()) {
      for (const statement of statementsOf(functionName)) {
        if (statement.Effect !== 'Allow' || statement.Condition || statement.NotAction || statement.NotResource) continue;
        for (const action of list(statement.Action).filter((name) => ENFORCED.test(name) && !name.includes('*'))) {
          for (const resource of list(statement.Resource).filter((arn) => !arn.includes('*'))) {
            expect([functionName, action, resource, iam.evaluate(functionName, { action, resource }).decision]).toEqual([
              functionName,
              action,
              resource,
              'Allow',
            ]);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("a role's DynamoDB actions reach no table its policies do not name (another context's table is denied)", () => {
    let checked = 0;
    for (const functionName of iam.functions.keys()) {
      const statements = statementsOf(functionName).filter((statement) =>
        list(statement.Action).some((action) => /^dynamodb:/i.test(action)),
      );
      const named = statements.flatMap((statement) => list(statement.Resource));
      const actions = statements.flatMap((statement) => list(statement.Action)).filter((action) => /^dynamodb:[A-Za-z]+$/.test(action));
      for (const table of tableArns().filter((arn) => !named.some((resource) => resource === '*' || resource.startsWith(arn)))) {
        for (const action of actions) {
          const decision = iam.evaluate(functionName, {
            action,
            resource: table,
            conditionKeys: { 'dynamodb:LeadingKeys': ['USER#1'] },
          }).decision;
          expect([functionName, action, table, decision]).toEqual([functionName, action, table, 'ImplicitDeny']);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('signed as ecommerce-local-signUp, a Scan of the users table gets 400 AccessDeniedException naming its role session', async () => {
    const request = await captureSdkRequest((endpoint) =>
      new DynamoDBClient({ endpoint, ...signedAs('ecommerce-local-signUp') }).send(new ScanCommand({ TableName: 'ecommerce-local-users' })),
    );
    const outcome = iam.authorize('dynamodb', request);
    const session = iam.functions.get('ecommerce-local-signUp')?.sessionArn;
    expect(outcome).toMatchObject({ allowed: false, response: { status: 400 } });
    expect(JSON.parse((outcome as { response: { body: string } }).response.body)).toEqual({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: `User: ${session} is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:000000000000:table/ecommerce-local-users because no identity-based policy allows the dynamodb:Scan action`,
    });
  });

  it("a catalogs function reading the users table is denied (another context's table)", async () => {
    const request = await captureSdkRequest((endpoint) =>
      new DynamoDBClient({ endpoint, ...signedAs('ecommerce-local-getCatalog') }).send(
        new GetItemCommand({ TableName: 'ecommerce-local-users', Key: { pk: { S: 'USER#1' }, sk: { S: 'PROFILE' } } }),
      ),
    );
    expect(iam.authorize('dynamodb', request)).toMatchObject({ allowed: false, reason: { kind: 'policy', action: 'dynamodb:GetItem' } });
  });

  it('getUser may invoke userOrders (the one function its role names)', async () => {
    const request = await captureSdkRequest((endpoint) =>
      new LambdaClient({ endpoint, ...signedAs('ecommerce-local-getUser') }).send(
        new InvokeCommand({ FunctionName: 'ecommerce-local-userOrders' }),
      ),
    );
    expect(iam.authorize('lambda', request)).toEqual({ allowed: true, caller: { functionName: 'ecommerce-local-getUser' } });
  });

  it("PutEvents as ecommerce.catalogs from publishUserEvents: allowed only if its role's PutEvents grant has no events:source condition", async () => {
    const request = await captureSdkRequest((endpoint) =>
      new EventBridgeClient({ endpoint, ...signedAs('ecommerce-local-publishUserEvents') }).send(
        new PutEventsCommand({
          Entries: [{ EventBusName: 'ecommerce-local', Source: 'ecommerce.catalogs', DetailType: 'StockReserved', Detail: '{}' }],
        }),
      ),
    );
    const anySource = statementsOf('ecommerce-local-publishUserEvents').some(
      (statement) => statement.Effect === 'Allow' && list(statement.Action).includes('events:PutEvents') && !statement.Condition,
    );
    expect(iam.authorize('events', request).allowed).toBe(anySource);
  });

  it("the stack's own calls pass", async () => {
    const request = await captureSdkRequest((endpoint) =>
      new DynamoDBClient({ endpoint, ...signedAs('local') }).send(new ScanCommand({ TableName: 'ecommerce-local-users' })),
    );
    expect(iam.authorize('dynamodb', request)).toEqual({ allowed: true, caller: 'stack' });
  });
});
