/**
 * The template checkers on small synthetic templates: each check passes on the valid template and
 * fails on one mistake of its kind.
 */
import { describe, expect, it } from 'vitest';
import { checkLocalStackCoverage } from './localstack-coverage.js';
import type { TemplateDocument } from './spec-check.js';
import { checkTemplateAgainstSpec } from './spec-check.js';

const valid = (): TemplateDocument => ({
  Parameters: { Stage: { Type: 'String' } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
  },
  Resources: {
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-${Stage}-inbox' } } },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [
          {
            PolicyName: 'queue',
            PolicyDocument: {
              // An IAM "Condition" key, not a condition reference.
              Statement: [
                { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
              ],
            },
          },
        ],
      },
    },
    Function: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['Role'],
      Properties: {
        Code: { ZipFile: 'exports.handler = async () => {}' },
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        MemorySize: { 'Fn::If': ['IsProd', 1024, 512] },
        Environment: { Variables: { QUEUE_URL: { Ref: 'Queue' }, REGION: { Ref: 'AWS::Region' } } },
      },
    },
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      DependsOn: 'Function',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': 'Table.StreamArn' },
        FunctionName: { Ref: 'Function' },
        StartingPosition: 'TRIM_HORIZON',
      },
    },
    Database: {
      Type: 'AWS::RDS::DBInstance',
      Condition: 'IsProd',
      Properties: { DBInstanceClass: 'db.t4g.micro', Engine: 'postgres', AllocatedStorage: '20' },
    },
    Custom: { Type: 'Custom::Seed', Properties: { ServiceToken: { 'Fn::GetAtt': ['Function', 'Arn'] }, Anything: 1 } },
  },
  Outputs: {
    QueueArn: { Value: { 'Fn::Sub': ['${Queue.Arn} ${!Literal} ${Suffix}', { Suffix: 'x' }] } },
    DatabaseHost: { Condition: 'IsProd', Value: { 'Fn::GetAtt': 'Database.Endpoint.Address' } },
    SeedResult: { Value: { 'Fn::GetAtt': ['Custom', 'Whatever'] } },
  },
});

/** The valid template with one edit. */
function broken(edit: (template: any) => void): TemplateDocument {
  const template = valid();
  edit(template);
  return template;
}

describe('checkTemplateAgainstSpec', () => {
  it('accepts a valid template', async () => {
    expect(await checkTemplateAgainstSpec(valid())).toEqual([]);
  });

  it('rejects a resource type that is not in the spec', async () => {
    const problems = await checkTemplateAgainstSpec(broken((t) => (t.Resources.Queue.Type = 'AWS::SQS::Queues')));
    expect(problems).toEqual(['Resources.Queue: resource type AWS::SQS::Queues is not in the CloudFormation spec']);
  });

  it('rejects an unknown property, at the top level and nested', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => {
        t.Resources.Function.Properties.MemorySizeMb = 512;
        t.Resources.Table.Properties.TimeToLiveSpecification.Attribute = 'expiresAt';
      }),
    );
    expect(problems).toEqual([
      'Resources.Table.Properties.TimeToLiveSpecification: TimeToLiveSpecification has no property Attribute',
      'Resources.Function.Properties: AWS::Lambda::Function has no property MemorySizeMb',
    ]);
  });

  it('rejects a missing required property, at the top level and nested', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => {
        delete t.Resources.Function.Properties.Role;
        t.Resources.Table.Properties.StreamSpecification = {};
      }),
    );
    expect(problems).toEqual([
      'Resources.Table.Properties.StreamSpecification: StreamSpecification requires property StreamViewType',
      'Resources.Function.Properties: AWS::Lambda::Function requires property Role',
    ]);
  });

  it('rejects a value of the wrong shape, in either branch of Fn::If', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => {
        t.Resources.Table.Properties.SSESpecification = true;
        t.Resources.Function.Properties.MemorySize = { 'Fn::If': ['IsProd', 1024, [512]] };
      }),
    );
    expect(problems).toEqual([
      'Resources.Table.Properties.SSESpecification: expected an object, got true',
      'Resources.Function.Properties.MemorySize.Fn::If[2]: expected a scalar (integer), got a list',
    ]);
  });

  it('rejects a Ref to nothing', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => (t.Resources.Function.Properties.Environment.Variables.X = { Ref: 'Queues' })),
    );
    expect(problems).toEqual([
      'Resources.Function.Properties.Environment.Variables.X.Ref: Ref to Queues, which is not a resource, parameter or pseudo parameter',
    ]);
  });

  it('rejects a GetAtt of a missing resource or attribute, in string and list form', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => {
        t.Resources.Mapping.Properties.EventSourceArn = { 'Fn::GetAtt': 'Table.StreamARN' };
        t.Resources.Function.Properties.Role = { 'Fn::GetAtt': ['Rolle', 'Arn'] };
        t.Outputs.DatabaseHost.Value = { 'Fn::GetAtt': 'Database.Endpoint.Host' };
      }),
    );
    expect(problems).toEqual([
      'Resources.Function.Properties.Role.Fn::GetAtt: GetAtt of Rolle.Arn, but Rolle is not a resource of this template',
      'Resources.Mapping.Properties.EventSourceArn.Fn::GetAtt: AWS::DynamoDB::Table has no attribute StreamARN (it has: Arn, StreamArn)',
      expect.stringMatching(
        /^Outputs\.DatabaseHost\.Value\.Fn::GetAtt: AWS::RDS::DBInstance has no attribute Endpoint\.Host \(it has: .*Endpoint\.Address/,
      ),
    ]);
  });

  it('rejects Fn::Sub references to a missing name or attribute', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => (t.Outputs.QueueArn.Value = { 'Fn::Sub': '${Queue.Url} ${Stages} ${!Literal}' })),
    );
    expect(problems).toEqual([
      'Outputs.QueueArn.Value.Fn::Sub ${Queue.Url}: AWS::SQS::Queue has no attribute Url (it has: Arn, QueueName, QueueUrl)',
      'Outputs.QueueArn.Value.Fn::Sub ${Stages}: Ref to Stages, which is not a resource, parameter or pseudo parameter',
    ]);
  });

  it('rejects a DependsOn on a missing resource, as a string or in a list', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => {
        t.Resources.Function.DependsOn = ['Role', 'Roles'];
        t.Resources.Mapping.DependsOn = 'Functions';
      }),
    );
    expect(problems).toEqual([
      'Resources.Function.DependsOn: "Roles" is not a resource of this template',
      'Resources.Mapping.DependsOn: "Functions" is not a resource of this template',
    ]);
  });

  it('rejects a condition name that is not in Conditions', async () => {
    const problems = await checkTemplateAgainstSpec(
      broken((t) => {
        t.Resources.Database.Condition = 'IsProduction';
        t.Resources.Function.Properties.MemorySize = { 'Fn::If': ['IsProduction', 1024, 512] };
        t.Conditions.IsNotProd = { 'Fn::Not': [{ Condition: 'IsProduction' }] };
      }),
    );
    expect(problems).toEqual([
      'Resources.Function.Properties.MemorySize.Fn::If: "IsProduction" is not a condition of this template',
      'Resources.Database.Condition: "IsProduction" is not a condition of this template',
      'Conditions.IsNotProd.Fn::Not[0].Condition: "IsProduction" is not a condition of this template',
    ]);
  });
});

describe('checkLocalStackCoverage', () => {
  it('accepts types LocalStack community 4.14 deploys', () => {
    const template = valid();
    delete template.Resources.Database;
    delete template.Resources.Custom;
    expect(checkLocalStackCoverage(template)).toEqual([]);
  });

  it('rejects types it has no provider for, or deploys without effect, unless accepted', () => {
    const template = {
      Resources: {
        Database: { Type: 'AWS::RDS::DBInstance' },
        Authorizer: { Type: 'AWS::ApiGateway::Authorizer' },
        Schedule: { Type: 'AWS::Scheduler::Schedule' },
        Seed: { Type: 'Custom::Seed' },
        Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
      },
    };
    const problems = checkLocalStackCoverage(template, ['AWS::CloudWatch::Dashboard']);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(
      'Resources.Database: AWS::RDS::DBInstance has no resource provider in LocalStack community 4.14 (a no-op there)',
    );
    expect(problems[1]).toMatch(/^Resources\.Authorizer: AWS::ApiGateway::Authorizer on LocalStack community 4\.14: no provider/);
    expect(problems[2]).toMatch(/^Resources\.Schedule: AWS::Scheduler::Schedule on LocalStack community 4\.14: .*never fires/);
    expect(problems[3]).toMatch(/^Resources\.Seed: Custom::Seed on LocalStack community 4\.14: no provider/);
  });
});
