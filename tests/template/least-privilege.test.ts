/**
 * Least privilege, checked against the code: every function's role grants only actions its code uses, on
 * resources its configuration names. "Uses" is read off the function itself, never off a second list kept
 * by hand:
 * - the AWS SDK commands its bundle constructs: its handler built as the package builds it (esbuild, tree-
 *   shaken), without minifying so the `new XCommand(` call sites keep their names. The grain is the module:
 *   a function that imports a repository "uses" every command of that repository (getCatalog may Scan,
 *   as the catalog repository lists products); the local stack's enforcement (local/iam/) shows the other
 *   half, that no function lacks a permission;
 * - what Lambda does with the role on its behalf: read the queue or stream of its event source mappings, send
 *   to their on-failure destinations (from the template).
 * A DynamoDB grant must be on a table (or its index or stream) whose name is in the function's environment,
 * an invoke on a function named there, a PutEvents only with an `events:source` condition naming the
 * function's own context. Read off the compiled template of stage dev.
 */
import { join, resolve } from 'node:path';
import { build, stop } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../local/cloudformation.js';
import { PACKAGED_STAGES } from './stages.js';
import { templateOf } from './templates.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

type Resource = CfnTemplate['Resources'][string];
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The IAM actions each SDK command needs (a transaction: the action of each item kind it may hold). */
const ACTIONS_OF_COMMAND: Record<string, string[]> = {
  Get: ['dynamodb:GetItem'],
  GetItem: ['dynamodb:GetItem'],
  Put: ['dynamodb:PutItem'],
  PutItem: ['dynamodb:PutItem'],
  Update: ['dynamodb:UpdateItem'],
  UpdateItem: ['dynamodb:UpdateItem'],
  Delete: ['dynamodb:DeleteItem'],
  DeleteItem: ['dynamodb:DeleteItem'],
  Query: ['dynamodb:Query'],
  Scan: ['dynamodb:Scan'],
  // A transaction needs the action of each item kind it holds: `TransactWrite:<kind>`, read off the same code.
  'TransactWrite:Put': ['dynamodb:PutItem'],
  'TransactWrite:Update': ['dynamodb:UpdateItem'],
  'TransactWrite:Delete': ['dynamodb:DeleteItem'],
  'TransactWrite:ConditionCheck': ['dynamodb:ConditionCheckItem'],
  TransactGet: ['dynamodb:GetItem'],
  BatchGet: ['dynamodb:BatchGetItem'],
  BatchWrite: ['dynamodb:BatchWriteItem'],
  PutEvents: ['events:PutEvents'],
  SendMessage: ['sqs:SendMessage'],
  Invoke: ['lambda:InvokeFunction'],
  // A SecureString is decrypted by KMS on the caller's behalf (the role's kms:Decrypt, via SSM only).
  GetParameter: ['ssm:GetParameter', 'kms:Decrypt'],
};
const SQS_MAPPING_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'];
const STREAM_MAPPING_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

/**
 * The SDK commands a handler's bundle constructs (`new GetCommand(`, `new PutEventsCommand(`; esbuild may
 * suffix a digit), and the item kinds its transactions hold (`Put: {`, `Update: {` ...), read in the bundle's
 * own modules only: esbuild marks each module with a `// <path>` line, and the SDK's modules construct
 * commands of their own (a document command wraps a client command).
 */
export async function commandsInBundle(handlerFile: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [join(ROOT, handlerFile)],
    bundle: true,
    write: false,
    minify: false,
    treeShaking: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['argon2'],
    logLevel: 'silent',
    alias: { '@aws-sdk/credential-provider-node': join(ROOT, 'functions/shared/aws/environment-credentials.ts') },
  });
  const code = result.outputFiles[0]?.text ?? '';
  const ownModules = code.split(/^(?=\/\/ \S+\.[cm]?[jt]s$)/m).filter((section) => section.startsWith('// functions/'));
  const own = ownModules.join('\n');
  const commands = new Set([...own.matchAll(/new (\w+?)Command\d*\(/g)].map((match) => match[1] as string));
  if (commands.has('TransactWrite'))
    for (const match of own.matchAll(/[{,]\s*(Put|Update|Delete|ConditionCheck):/g)) commands.add(`TransactWrite:${match[1] as string}`);
  return commands;
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const logicalIdOf = (value: unknown): string | undefined =>
  (value as { Ref?: string })?.Ref ??
  (value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0] ??
  // `!Sub '${Table.Arn}/index/X'`
  /\$\{(\w+)\.\w+\}/.exec(
    typeof (value as { 'Fn::Sub'?: unknown })?.['Fn::Sub'] === 'string' ? (value as { 'Fn::Sub': string })['Fn::Sub'] : '',
  )?.[1];
const textOf = (value: unknown) => JSON.stringify(value);

interface FunctionFacts {
  name: string;
  role: string;
  handlerFile: string;
  environment: Record<string, string>;
  /** What Lambda does with the role on the function's behalf: action -> logical ids of the resources. */
  mappingGrants: Array<{ actions: string[]; resource: string }>;
}

function functionsOf(template: CfnTemplate): FunctionFacts[] {
  const resources = Object.entries(template.Resources);
  return resources
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => {
      const props = r.Properties as Record<string, any>;
      const mappings = resources.filter(
        ([, m]) => m.Type === 'AWS::Lambda::EventSourceMapping' && logicalIdOf(m.Properties?.FunctionName) === id,
      );
      const mappingGrants = mappings.flatMap(([, m]) => {
        const source = logicalIdOf(m.Properties?.EventSourceArn) as string;
        const isQueue = template.Resources[source]?.Type === 'AWS::SQS::Queue';
        const onFailure = logicalIdOf(
          (m.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination,
        );
        return [
          { actions: isQueue ? SQS_MAPPING_ACTIONS : STREAM_MAPPING_ACTIONS, resource: source },
          ...(onFailure ? [{ actions: ['sqs:SendMessage'], resource: onFailure }] : []),
        ];
      });
      const [file] = String(props.Handler).split(/\.(?=[^.]+$)/);
      return {
        name: String(props.FunctionName),
        role: logicalIdOf(props.Role) as string,
        handlerFile: `${file}.ts`,
        environment: (props.Environment?.Variables ?? {}) as Record<string, string>,
        mappingGrants,
      };
    });
}

const allowStatementsOf = (role: Resource): Statement[] =>
  asList((role.Properties as { Policies?: Array<{ PolicyDocument: { Statement: Statement | Statement[] } }> }).Policies).flatMap((policy) =>
    asList(policy.PolicyDocument.Statement).filter((statement) => statement.Effect === 'Allow'),
  );

/**
 * What a function's role grants beyond what it uses, one line each (empty when it is least privilege).
 * `commands`: the SDK commands its bundle constructs.
 */
export function excessGrants(template: CfnTemplate, fn: FunctionFacts, commands: Set<string>): string[] {
  const role = template.Resources[fn.role];
  if (!role || role.Type !== 'AWS::IAM::Role') return [`${fn.name}: its role ${fn.role} is not a role of the template`];
  const used = new Set([...commands].flatMap((command) => ACTIONS_OF_COMMAND[command] ?? []));
  const problems: string[] = [];
  const envValues = Object.values(fn.environment).map(String);
  const tableNameOf = (id: string) => String((template.Resources[id]?.Properties as { TableName?: unknown } | undefined)?.TableName);
  const context = fn.environment.POWERTOOLS_SERVICE_NAME;
  for (const statement of allowStatementsOf(role)) {
    const resources = asList(statement.Resource);
    for (const action of asList(statement.Action)) {
      const mapped = fn.mappingGrants.filter((grant) => grant.actions.includes(action));
      for (const resource of resources) {
        const id = logicalIdOf(resource);
        const viaMapping = mapped.some((grant) => grant.resource === id);
        if (viaMapping) continue;
        if (!used.has(action)) {
          problems.push(`${fn.name}: ${action} on ${textOf(resource)}, which its code does not use`);
          continue;
        }
        if (action.startsWith('dynamodb:')) {
          const table = id && template.Resources[id]?.Type === 'AWS::DynamoDB::Table' ? tableNameOf(id) : undefined;
          if (!table || !envValues.includes(table))
            problems.push(`${fn.name}: ${action} on ${textOf(resource)}, a table its environment does not name`);
        } else if (action === 'lambda:InvokeFunction') {
          if (!envValues.some((name) => textOf(resource).includes(`:function:${name}"`)))
            problems.push(`${fn.name}: ${action} on ${textOf(resource)}, a function its environment does not name`);
        } else if (action === 'events:PutEvents') {
          const source = statement.Condition?.StringEquals?.['events:source'];
          if (source !== `ecommerce.${context}`)
            problems.push(`${fn.name}: ${action} without an events:source condition naming ecommerce.${context}`);
        } else if (action === 'sqs:SendMessage') {
          problems.push(`${fn.name}: ${action} on ${textOf(resource)}, which is not one of its mappings' destinations`);
        }
      }
    }
  }
  return problems;
}

const dev = PACKAGED_STAGES.find((stage) => stage.name === 'dev') as (typeof PACKAGED_STAGES)[number];
let template: CfnTemplate;
let functions: FunctionFacts[];
const commands = new Map<string, Set<string>>();
beforeAll(async () => {
  template = await templateOf(dev);
  functions = functionsOf(template);
  for (const fn of functions) commands.set(fn.name, await commandsInBundle(fn.handlerFile));
}, 120_000);
// esbuild's API keeps its service process running after a build: stopped here, so no other test file that runs later
// in this worker (scripts/serverless-plugins/esbuild-reuse.test.ts counts esbuild services) finds it.
afterAll(() => stop());

describe('least privilege: every role grants only what its function uses', () => {
  it('every function: its role, the actions it grants, and nothing its code does not use', () => {
    const table = functions.map((fn) => {
      const granted = [...new Set(allowStatementsOf(template.Resources[fn.role] as Resource).flatMap((s) => asList(s.Action)))].sort();
      return `${fn.name.padEnd(32)} ${fn.role.padEnd(26)} ${granted.join(' ') || '(logs and traces only)'}`;
    });
    console.log(`function, role, actions granted (stage dev):\n${table.join('\n')}`);
    expect(functions.length).toBeGreaterThan(20);
    expect(functions.flatMap((fn) => excessGrants(template, fn, commands.get(fn.name) as Set<string>))).toEqual([]);
  });

  it('reads the SDK commands off the bundle: getCatalog gets one product, placeOrder writes in a transaction, publishUserEvents puts events', () => {
    const of = (name: string) => commands.get(`ecommerce-dev-${name}`);
    expect(of('getCatalog')).toContain('Get');
    expect(of('getCatalog')).not.toContain('Delete');
    expect(of('placeOrder')).toContain('TransactWrite:Put');
    expect(of('placeOrder')).not.toContain('TransactWrite:ConditionCheck');
    expect(of('publishUserEvents')).toContain('PutEvents');
    expect(of('health')?.size).toBe(0);
  });

  // Negative controls: the check must fail on a role that grants one action too many, or on a foreign table.
  it.each([
    [
      'an action its code does not use (DeleteItem for getCatalog)',
      'getCatalog',
      { Effect: 'Allow', Action: 'dynamodb:DeleteItem', Resource: { 'Fn::GetAtt': ['CatalogsTable', 'Arn'] } },
      /dynamodb:DeleteItem .*does not use/,
    ],
    [
      'a transaction item kind its code does not use (ConditionCheckItem for placeOrder)',
      'placeOrder',
      { Effect: 'Allow', Action: 'dynamodb:ConditionCheckItem', Resource: { 'Fn::GetAtt': ['OrdersTable', 'Arn'] } },
      /dynamodb:ConditionCheckItem .*does not use/,
    ],
    [
      'an invoke of a function its environment does not name (getUser invoking placeOrder)',
      'getUser',
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:ecommerce-dev-placeOrder',
      },
      /does not name/,
    ],
    [
      'a table its environment does not name (the users table for getCatalog)',
      'getCatalog',
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['UsersTable', 'Arn'] } },
      /does not name/,
    ],
    [
      'PutEvents as another context (publishUserEvents as ecommerce.catalogs)',
      'publishUserEvents',
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: '*',
        Condition: { StringEquals: { 'events:source': 'ecommerce.catalogs' } },
      },
      /events:source/,
    ],
    [
      'a send to a queue that is not its destination (signUp)',
      'signUp',
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['OrdersInboxQueue', 'Arn'] } },
      /sqs:SendMessage .*(does not use|destinations)/,
    ],
  ])('fails on a grant of %s', (_what, name, extra, expected) => {
    const fn = functions.find((f) => f.name === `ecommerce-dev-${name}`) as FunctionFacts;
    const copy = structuredClone(template);
    const role = copy.Resources[fn.role] as Resource;
    const policies = (role.Properties as { Policies: Array<{ PolicyDocument: { Statement: unknown[] } }> }).Policies;
    policies[0]?.PolicyDocument.Statement.push(extra);
    const problems = excessGrants(copy, fn, commands.get(fn.name) as Set<string>);
    expect(problems).toEqual([expect.stringMatching(expected)]);
  });
});
