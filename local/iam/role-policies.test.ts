import { describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../cloudformation.js';
import { UnsupportedPolicyError } from './policy-evaluator.js';
import { functionRoles, localResourceResolver, resolveIntrinsics, type IntrinsicContext } from './role-policies.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const OPTIONS = { region: REGION, accountId: ACCOUNT, stackName: 'shop-local' };
const BASIC = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' };
const XRAY = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess' };

function template(resources: CfnTemplate['Resources']): CfnTemplate {
  return {
    Resources: {
      UsersTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'shop-local-users' } },
      EventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-local' } },
      InboxQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-local-inbox' } },
      ...resources,
    },
  };
}
const fn = (name: string, role: unknown) => ({ Type: 'AWS::Lambda::Function', Properties: { FunctionName: name, Role: role } });
const role = (properties: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: { ManagedPolicyArns: [BASIC, XRAY], ...properties },
});
const statement = (action: string, resource: unknown) => ({ Effect: 'Allow', Action: action, Resource: resource });
const inline = (name: string, ...statements: unknown[]) => ({
  PolicyName: name,
  PolicyDocument: { Version: '2012-10-17', Statement: statements },
});

describe('functionRoles', () => {
  it("gives each function its role's inline policies and the two known AWS managed policies, resolved to local ARNs", () => {
    const roles = functionRoles(
      template({
        Role: role({
          Policies: [
            inline(
              'data',
              statement('dynamodb:GetItem', { 'Fn::GetAtt': ['UsersTable', 'Arn'] }),
              statement('dynamodb:Query', { 'Fn::Sub': '${UsersTable.Arn}/index/ByEmail' }),
              statement('dynamodb:GetRecords', { 'Fn::GetAtt': 'UsersTable.StreamArn' }),
              statement('events:PutEvents', { 'Fn::GetAtt': ['EventBus', 'Arn'] }),
              statement('sqs:SendMessage', { 'Fn::GetAtt': ['InboxQueue', 'Arn'] }),
            ),
          ],
        }),
        SignUpLambdaFunction: fn('shop-local-signUp', { 'Fn::GetAtt': ['Role', 'Arn'] }),
        GetUserLambdaFunction: fn('shop-local-getUser', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      OPTIONS,
    );
    const signUp = roles.get('shop-local-signUp');
    expect(signUp).toMatchObject({
      functionLogicalId: 'SignUpLambdaFunction',
      roleLogicalId: 'Role',
      roleName: 'shop-local-Role',
      roleArn: 'arn:aws:iam::000000000000:role/shop-local-Role',
      sessionArn: 'arn:aws:sts::000000000000:assumed-role/shop-local-Role/shop-local-signUp',
    });
    expect(signUp?.policies.map((policy) => policy.name)).toEqual([
      'Role/data',
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess',
    ]);
    expect((signUp?.policies[0]?.document as { Statement: { Resource: string }[] }).Statement.map((s) => s.Resource)).toEqual([
      'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-users',
      'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-users/index/ByEmail',
      'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-users/stream/*',
      'arn:aws:events:us-east-1:000000000000:event-bus/shop-local',
      'arn:aws:sqs:us-east-1:000000000000:shop-local-inbox',
    ]);
    expect(signUp?.policies[1]?.document).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
    });
    // A role shared by two functions: one session per function.
    expect(roles.get('shop-local-getUser')?.sessionArn).toBe('arn:aws:sts::000000000000:assumed-role/shop-local-Role/shop-local-getUser');
  });

  it('takes a RoleName and Path when the template gives them', () => {
    const roles = functionRoles(
      template({ Named: role({ RoleName: 'users-sign-up', Path: '/service/' }), F: fn('f', { 'Fn::GetAtt': ['Named', 'Arn'] }) }),
      OPTIONS,
    );
    expect(roles.get('f')).toMatchObject({
      roleName: 'users-sign-up',
      roleArn: 'arn:aws:iam::000000000000:role/service/users-sign-up',
      sessionArn: 'arn:aws:sts::000000000000:assumed-role/users-sign-up/f',
    });
  });

  it('adds AWS::IAM::Policy and AWS::IAM::ManagedPolicy resources attached to the role (by Ref, by name, by ManagedPolicyArns)', () => {
    const roles = functionRoles(
      template({
        Role: role({ RoleName: 'r', ManagedPolicyArns: [BASIC, { Ref: 'ByArn' }] }),
        Other: role({ RoleName: 'other' }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
        ByRef: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyName: 'by-ref', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [statement('a:b', '*')] } },
        },
        ByName: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyName: 'by-name', Roles: ['r'], PolicyDocument: { Statement: [statement('a:c', '*')] } },
        },
        Managed: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [statement('a:d', '*')] } },
        },
        ByArn: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [statement('a:e', '*')] } } },
        NotOurs: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyName: 'x', Roles: [{ Ref: 'Other' }], PolicyDocument: { Statement: [statement('a:f', '*')] } },
        },
      }),
      OPTIONS,
    );
    expect(roles.get('f')?.policies.map((policy) => policy.name)).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'ByRef/by-ref',
      'ByName/by-name',
      'Managed',
      'ByArn',
    ]);
  });

  const refusals: Array<[string, CfnTemplate, RegExp]> = [
    [
      'another AWS managed policy',
      template({
        Role: role({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      /managed policy arn:aws:iam::aws:policy\/AdministratorAccess \(only AWSLambdaBasicExecutionRole and AWSXRayDaemonWriteAccess/,
    ],
    [
      'a permissions boundary',
      template({
        Role: role({ PermissionsBoundary: 'arn:aws:iam::000000000000:policy/b' }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      /PermissionsBoundary/,
    ],
    [
      'a role outside the template',
      template({ F: fn('f', 'arn:aws:iam::000000000000:role/elsewhere') }),
      /F\.Role: the role "arn:aws:iam::000000000000:role\/elsewhere"/,
    ],
    [
      'Fn::If in a policy',
      template({
        Role: role({ Policies: [inline('p', statement('a:b', { 'Fn::If': ['C', '*', 'x'] }))] }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      /Role\/p: the intrinsic Fn::If/,
    ],
    [
      'a conditional policy resource',
      template({
        Role: role(),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
        P: {
          Type: 'AWS::IAM::Policy',
          Condition: 'IsProd',
          Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: {} },
        } as never,
      }),
      /P: the resource Condition "IsProd"/,
    ],
    [
      'an attribute the resolver does not know',
      template({
        Role: role({ Policies: [inline('p', statement('a:b', { 'Fn::GetAtt': ['UsersTable', 'StreamLabel'] }))] }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      /Fn::GetAtt StreamLabel of UsersTable \(AWS::DynamoDB::Table\)/,
    ],
    [
      'a reference to a missing resource',
      template({
        Role: role({ Policies: [inline('p', statement('a:b', { Ref: 'Nope' }))] }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      /a reference to Nope, which is not a resource of the template/,
    ],
  ];
  it.each(refusals)('refuses %s with UnsupportedPolicyError', (_name, cfn, message) => {
    expect(() => functionRoles(cfn, OPTIONS)).toThrow(UnsupportedPolicyError);
    expect(() => functionRoles(cfn, OPTIONS)).toThrow(message);
  });

  it('takes a resolve callback instead of the local resolver', () => {
    const roles = functionRoles(
      template({
        Role: role({ Policies: [inline('p', statement('a:b', { 'Fn::GetAtt': ['UsersTable', 'Arn'] }))] }),
        F: fn('f', { 'Fn::GetAtt': ['Role', 'Arn'] }),
      }),
      { ...OPTIONS, resolve: (id, attribute) => `resolved:${id}:${attribute ?? 'Ref'}` },
    );
    expect(roles.get('f')).toMatchObject({ roleName: 'resolved:Role:Ref', roleArn: 'resolved:Role:Arn' });
    expect((roles.get('f')?.policies[0]?.document as { Statement: { Resource: string }[] }).Statement[0]?.Resource).toBe(
      'resolved:UsersTable:Arn',
    );
  });
});

describe('resolveIntrinsics', () => {
  const cfn = template({
    Fn: fn('shop-local-userOrders', 'x'),
    Rule: { Type: 'AWS::Events::Rule', Properties: { Name: 'placed', EventBusName: { Ref: 'EventBus' } } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'alarms' } },
  });
  const context: IntrinsicContext = {
    partition: 'aws',
    region: REGION,
    accountId: ACCOUNT,
    stackName: 'shop-local',
    resolve: localResourceResolver(cfn, { ...OPTIONS, queueUrlOf: (name) => `http://127.0.0.1:9324/000000000000/${name}` }),
  };
  const resolve = (value: unknown) => resolveIntrinsics(value, context, 'test');

  it('resolves pseudo parameters, Ref and Fn::GetAtt of each resource type', () => {
    expect(resolve({ 'Fn::Sub': '${AWS::Partition}|${AWS::Region}|${AWS::AccountId}|${AWS::StackName}|${AWS::URLSuffix}' })).toBe(
      'aws|us-east-1|000000000000|shop-local|amazonaws.com',
    );
    expect(resolve({ Ref: 'UsersTable' })).toBe('shop-local-users');
    expect(resolve({ Ref: 'InboxQueue' })).toBe('http://127.0.0.1:9324/000000000000/shop-local-inbox');
    expect(resolve({ 'Fn::GetAtt': ['InboxQueue', 'QueueName'] })).toBe('shop-local-inbox');
    expect(resolve({ Ref: 'EventBus' })).toBe('shop-local');
    expect(resolve({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:000000000000:function:shop-local-userOrders');
    expect(resolve({ 'Fn::GetAtt': ['Rule', 'Arn'] })).toBe('arn:aws:events:us-east-1:000000000000:rule/shop-local/placed');
    expect(resolve({ Ref: 'Topic' })).toBe('arn:aws:sns:us-east-1:000000000000:alarms');
  });

  it('resolves Fn::Sub with variables and ${!Literal}, Fn::Join, Fn::Select, Fn::Split', () => {
    expect(resolve({ 'Fn::Sub': ['${Table}/index/*', { Table: { 'Fn::GetAtt': ['UsersTable', 'Arn'] } }] })).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/shop-local-users/index/*',
    );
    expect(resolve({ 'Fn::Sub': 'arn:aws:s3:::b/${!aws:username}' })).toBe('arn:aws:s3:::b/${aws:username}');
    expect(resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }]] })).toBe(
      'arn:aws:sqs:us-east-1',
    );
    expect(resolve({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
  });

  it('drops what Ref AWS::NoValue stands for', () => {
    expect(resolve({ Statement: [{ Effect: 'Allow', Sid: { Ref: 'AWS::NoValue' } }, { Ref: 'AWS::NoValue' }] })).toEqual({
      Statement: [{ Effect: 'Allow' }],
    });
  });
});
