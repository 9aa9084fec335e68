// Cases from AWS's documented policy evaluation logic; each describe names the page it follows
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/<page>).
import { describe, expect, it } from 'vitest';
import {
  evaluatePolicies,
  PolicySet,
  UnsupportedPolicyError,
  type NamedPolicy,
  type PolicyStatement,
  type RequestContext,
} from './policy-evaluator.js';

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/users';
const policy = (...statements: PolicyStatement[]): NamedPolicy => ({
  name: 'p',
  document: { Version: '2012-10-17', Statement: statements },
});
const allow = (action: string | string[], resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: string | string[], resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});
const request = (action: string, resource = TABLE, conditionKeys: RequestContext['conditionKeys'] = {}): RequestContext => ({
  action,
  resource,
  conditionKeys,
});
const decide = (statements: PolicyStatement[], req: RequestContext) => evaluatePolicies([policy(...statements)], req).decision;

describe('decision: explicit deny > allow > implicit deny (reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html)', () => {
  it('denies implicitly when no statement applies', () => {
    expect(decide([allow('dynamodb:GetItem')], request('dynamodb:Scan'))).toBe('ImplicitDeny');
    expect(decide([], request('dynamodb:Scan'))).toBe('ImplicitDeny');
  });

  it('allows when an Allow statement applies, and names it', () => {
    const decision = evaluatePolicies([policy(allow('dynamodb:Scan', TABLE, { Sid: 'ScanUsers' }))], request('dynamodb:Scan'));
    expect(decision).toEqual({
      decision: 'Allow',
      matchedStatement: expect.objectContaining({ policyName: 'p', index: 0, sid: 'ScanUsers', effect: 'Allow' }),
    });
  });

  it('an explicit Deny beats an Allow, whatever the order of statements or policies', () => {
    expect(decide([allow('dynamodb:*'), deny('dynamodb:Scan')], request('dynamodb:Scan'))).toBe('ExplicitDeny');
    expect(decide([deny('dynamodb:Scan'), allow('dynamodb:*')], request('dynamodb:Scan'))).toBe('ExplicitDeny');
    const decision = evaluatePolicies(
      [policy(allow('*')), { name: 'q', document: { Statement: deny('dynamodb:Scan') } }],
      request('dynamodb:Scan'),
    );
    expect(decision.decision).toBe('ExplicitDeny');
    expect(decision.matchedStatement).toMatchObject({ policyName: 'q', effect: 'Deny' });
  });

  it('a Deny that does not apply leaves the Allow (the AllowGetList / DenyReports example)', () => {
    const statements = [allow(['iam:Get*', 'iam:List*']), deny('iam:*Report')];
    expect(decide(statements, request('iam:GetUser', '*'))).toBe('Allow');
    expect(decide(statements, request('iam:GetOrganizationsAccessReport', '*'))).toBe('ExplicitDeny');
    expect(decide(statements, request('iam:CreatePolicy', '*'))).toBe('ImplicitDeny');
  });

  it('a single statement (not a list) is a policy too', () => {
    expect(
      evaluatePolicies([{ name: 'single', document: { Statement: allow('sqs:SendMessage') } }], request('sqs:SendMessage')).decision,
    ).toBe('Allow');
  });
});

describe('Action and NotAction (reference_policies_elements_action.html, _notaction.html)', () => {
  it('matches action names case-insensitively', () => {
    expect(decide([allow('DynamoDB:getitem')], request('dynamodb:GetItem'))).toBe('Allow');
  });

  it('takes * and ? wildcards', () => {
    expect(decide([allow('dynamodb:Get*')], request('dynamodb:GetItem'))).toBe('Allow');
    expect(decide([allow('dynamodb:Get*')], request('dynamodb:PutItem'))).toBe('ImplicitDeny');
    expect(decide([allow('sqs:?eceiveMessage')], request('sqs:ReceiveMessage'))).toBe('Allow');
    expect(decide([allow('sqs:?eceiveMessage')], request('sqs:XXReceiveMessage'))).toBe('ImplicitDeny');
    expect(decide([allow('*')], request('lambda:InvokeFunction'))).toBe('Allow');
  });

  it('does not let a service prefix match another service', () => {
    expect(decide([allow('dynamodb:*')], request('dynamodbx:GetItem'))).toBe('ImplicitDeny');
  });

  it('NotAction applies to every action but the listed ones', () => {
    const statements = [{ Effect: 'Allow', NotAction: 'dynamodb:Scan', Resource: '*' } as PolicyStatement];
    expect(decide(statements, request('dynamodb:GetItem'))).toBe('Allow');
    expect(decide(statements, request('dynamodb:scan'))).toBe('ImplicitDeny');
    const denyAllBut = [allow('*'), { Effect: 'Deny', NotAction: 'dynamodb:GetItem', Resource: '*' } as PolicyStatement];
    expect(decide(denyAllBut, request('dynamodb:GetItem'))).toBe('Allow');
    expect(decide(denyAllBut, request('dynamodb:PutItem'))).toBe('ExplicitDeny');
  });
});

describe('Resource and NotResource (reference_policies_elements_resource.html)', () => {
  it('matches ARNs case-sensitively', () => {
    expect(decide([allow('dynamodb:GetItem', TABLE)], request('dynamodb:GetItem'))).toBe('Allow');
    expect(decide([allow('dynamodb:GetItem', TABLE.replace('users', 'Users'))], request('dynamodb:GetItem'))).toBe('ImplicitDeny');
  });

  it('takes * and ? inside a segment', () => {
    expect(decide([allow('dynamodb:GetItem', 'arn:aws:dynamodb:*:*:table/use?s')], request('dynamodb:GetItem'))).toBe('Allow');
    expect(decide([allow('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/u*')], request('dynamodb:GetItem'))).toBe(
      'Allow',
    );
    expect(decide([allow('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/orders')], request('dynamodb:GetItem'))).toBe(
      'ImplicitDeny',
    );
  });

  it('a * that ends a segment reaches past later colons; one inside a segment does not', () => {
    const alias = 'arn:aws:lambda:us-east-1:000000000000:function:userOrders:live';
    expect(
      decide(
        [allow('lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:000000000000:function:user*')],
        request('lambda:InvokeFunction', alias),
      ),
    ).toBe('Allow');
    expect(
      decide(
        // u*e would match "userOrders:live" if its * could cross the colon.
        [allow('lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:000000000000:function:u*e')],
        request('lambda:InvokeFunction', alias),
      ),
    ).toBe('ImplicitDeny');
  });

  it('an unqualified function ARN does not cover a qualified one', () => {
    const unqualified = 'arn:aws:lambda:us-east-1:000000000000:function:userOrders';
    expect(decide([allow('lambda:InvokeFunction', unqualified)], request('lambda:InvokeFunction', `${unqualified}:live`))).toBe(
      'ImplicitDeny',
    );
  });

  it('a table ARN does not cover its indexes', () => {
    expect(decide([allow('dynamodb:Query', TABLE)], request('dynamodb:Query', `${TABLE}/index/byEmail`))).toBe('ImplicitDeny');
    expect(decide([allow('dynamodb:Query', `${TABLE}/index/*`)], request('dynamodb:Query', `${TABLE}/index/byEmail`))).toBe('Allow');
  });

  it('* matches any resource, a list matches any of its ARNs', () => {
    expect(decide([allow('dynamodb:GetItem', '*')], request('dynamodb:GetItem'))).toBe('Allow');
    expect(
      decide([allow('dynamodb:GetItem', ['arn:aws:dynamodb:us-east-1:000000000000:table/orders', TABLE])], request('dynamodb:GetItem')),
    ).toBe('Allow');
  });

  it('NotResource applies to every resource but the listed ones', () => {
    const statements = [allow('dynamodb:*'), { Effect: 'Deny', Action: 'dynamodb:*', NotResource: TABLE } as PolicyStatement];
    expect(decide(statements, request('dynamodb:GetItem'))).toBe('Allow');
    expect(decide(statements, request('dynamodb:GetItem', 'arn:aws:dynamodb:us-east-1:000000000000:table/orders'))).toBe('ExplicitDeny');
  });
});

describe('condition operators (reference_policies_elements_condition_operators.html)', () => {
  const withCondition = (condition: Record<string, Record<string, unknown>>) => [allow('events:PutEvents', '*', { Condition: condition })];
  const put = (keys: RequestContext['conditionKeys']) =>
    request('events:PutEvents', 'arn:aws:events:us-east-1:000000000000:event-bus/b', keys);
  const check = (condition: Record<string, Record<string, unknown>>, keys: RequestContext['conditionKeys']) =>
    decide(withCondition(condition), put(keys));

  it('StringEquals: exact and case-sensitive; no wildcards', () => {
    expect(check({ StringEquals: { 'events:source': 'ecommerce.users' } }, { 'events:source': 'ecommerce.users' })).toBe('Allow');
    expect(check({ StringEquals: { 'events:source': 'ecommerce.users' } }, { 'events:source': 'Ecommerce.Users' })).toBe('ImplicitDeny');
    expect(check({ StringEquals: { 'events:source': 'ecommerce.*' } }, { 'events:source': 'ecommerce.users' })).toBe('ImplicitDeny');
  });

  it('StringNotEquals: true when the value differs from every listed value (NOR)', () => {
    const condition = { StringNotEquals: { 'events:source': ['ecommerce.users', 'ecommerce.orders'] } };
    expect(check(condition, { 'events:source': 'ecommerce.catalogs' })).toBe('Allow');
    expect(check(condition, { 'events:source': 'ecommerce.orders' })).toBe('ImplicitDeny');
  });

  it('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case', () => {
    expect(check({ StringEqualsIgnoreCase: { 'events:source': 'ECOMMERCE.users' } }, { 'events:source': 'ecommerce.USERS' })).toBe('Allow');
    expect(check({ StringNotEqualsIgnoreCase: { 'events:source': 'ECOMMERCE.users' } }, { 'events:source': 'ecommerce.USERS' })).toBe(
      'ImplicitDeny',
    );
  });

  it('StringLike: * and ? wildcards, case-sensitive', () => {
    expect(check({ StringLike: { 'events:detail-type': 'Order*' } }, { 'events:detail-type': 'OrderPlaced' })).toBe('Allow');
    expect(check({ StringLike: { 'events:detail-type': 'Order?laced' } }, { 'events:detail-type': 'OrderPlaced' })).toBe('Allow');
    expect(check({ StringLike: { 'events:detail-type': 'order*' } }, { 'events:detail-type': 'OrderPlaced' })).toBe('ImplicitDeny');
  });

  it('StringNotLike: true when no pattern matches', () => {
    expect(check({ StringNotLike: { 'events:detail-type': ['Stock*', 'User*'] } }, { 'events:detail-type': 'OrderPlaced' })).toBe('Allow');
    expect(check({ StringNotLike: { 'events:detail-type': ['Stock*', 'User*'] } }, { 'events:detail-type': 'StockReserved' })).toBe(
      'ImplicitDeny',
    );
  });

  it('ArnEquals / ArnLike compare the six ARN components, with wildcards in each', () => {
    const rule = 'arn:aws:events:us-east-1:000000000000:rule/bus/OrderPlaced';
    expect(check({ ArnEquals: { 'aws:SourceArn': rule } }, { 'aws:SourceArn': rule })).toBe('Allow');
    expect(check({ ArnLike: { 'aws:SourceArn': 'arn:aws:events:*:000000000000:rule/bus/*' } }, { 'aws:SourceArn': rule })).toBe('Allow');
    expect(check({ ArnLike: { 'aws:SourceArn': 'arn:aws:events:*:111111111111:rule/bus/*' } }, { 'aws:SourceArn': rule })).toBe(
      'ImplicitDeny',
    );
    // A wildcard stays in its component: * in the region does not swallow the account.
    expect(check({ ArnLike: { 'aws:SourceArn': 'arn:aws:events:*:rule/bus/OrderPlaced' } }, { 'aws:SourceArn': rule })).toBe(
      'ImplicitDeny',
    );
    expect(check({ ArnLike: { 'aws:SourceArn': rule } }, { 'aws:SourceArn': 'not-an-arn' })).toBe('ImplicitDeny');
  });

  it('ArnNotEquals / ArnNotLike negate', () => {
    const rule = 'arn:aws:events:us-east-1:000000000000:rule/bus/OrderPlaced';
    expect(check({ ArnNotEquals: { 'aws:SourceArn': rule } }, { 'aws:SourceArn': rule })).toBe('ImplicitDeny');
    expect(check({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:events:*:*:rule/other/*' } }, { 'aws:SourceArn': rule })).toBe('Allow');
  });

  it('Bool compares true/false, given as strings or booleans', () => {
    expect(check({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true })).toBe('Allow');
    expect(check({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'true' })).toBe('ImplicitDeny');
  });

  it('Numeric operators compare numbers', () => {
    const n = (op: string, value: number, actual: number) =>
      check({ [op]: { 'sqs:MaxReceiveCount': value } }, { 'sqs:MaxReceiveCount': actual });
    expect(n('NumericEquals', 5, 5)).toBe('Allow');
    expect(n('NumericEquals', 5, 6)).toBe('ImplicitDeny');
    expect(n('NumericNotEquals', 5, 6)).toBe('Allow');
    expect(n('NumericLessThan', 5, 4)).toBe('Allow');
    expect(n('NumericLessThan', 5, 5)).toBe('ImplicitDeny');
    expect(n('NumericLessThanEquals', 5, 5)).toBe('Allow');
    expect(n('NumericGreaterThan', 5, 6)).toBe('Allow');
    expect(n('NumericGreaterThan', 5, 5)).toBe('ImplicitDeny');
    expect(n('NumericGreaterThanEquals', 5, 5)).toBe('Allow');
    expect(check({ NumericEquals: { 'sqs:MaxReceiveCount': '5' } }, { 'sqs:MaxReceiveCount': 'five' })).toBe('ImplicitDeny');
  });

  it('Date operators compare ISO 8601 dates and epoch seconds', () => {
    const now = { 'aws:CurrentTime': '2026-06-01T00:00:00Z' };
    expect(check({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, now)).toBe('Allow');
    expect(check({ DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, now)).toBe('ImplicitDeny');
    expect(check({ DateGreaterThanEquals: { 'aws:EpochTime': '1700000000' } }, { 'aws:EpochTime': 1800000000 })).toBe('Allow');
  });

  it('Null: true tests that the key is absent, false that it is present', () => {
    expect(check({ Null: { 'events:source': 'true' } }, {})).toBe('Allow');
    expect(check({ Null: { 'events:source': 'true' } }, { 'events:source': 'x' })).toBe('ImplicitDeny');
    expect(check({ Null: { 'events:source': false } }, { 'events:source': 'x' })).toBe('Allow');
    expect(check({ Null: { 'events:source': false } }, {})).toBe('ImplicitDeny');
  });

  it('a missing key fails the condition ...', () => {
    expect(check({ StringEquals: { 'events:source': 'ecommerce.users' } }, {})).toBe('ImplicitDeny');
    expect(check({ StringLike: { 'events:source': '*' } }, {})).toBe('ImplicitDeny');
    expect(check({ NumericLessThan: { 'sqs:MaxReceiveCount': 5 } }, {})).toBe('ImplicitDeny');
    expect(check({ ArnLike: { 'aws:SourceArn': '*' } }, {})).toBe('ImplicitDeny');
    expect(check({ Bool: { 'aws:SecureTransport': 'true' } }, {})).toBe('ImplicitDeny');
  });

  it('... but a negated operator on a missing key is true (the page\'s "Important" note)', () => {
    expect(check({ StringNotEquals: { 'events:source': 'ecommerce.users' } }, {})).toBe('Allow');
    expect(check({ StringNotLike: { 'events:source': 'ecommerce.*' } }, {})).toBe('Allow');
    expect(check({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:events:*:*:*' } }, {})).toBe('Allow');
  });

  it('...IfExists: an absent key makes the condition true; a present one is checked', () => {
    expect(check({ StringEqualsIfExists: { 'events:source': 'ecommerce.users' } }, {})).toBe('Allow');
    expect(check({ StringEqualsIfExists: { 'events:source': 'ecommerce.users' } }, { 'events:source': 'ecommerce.users' })).toBe('Allow');
    expect(check({ StringEqualsIfExists: { 'events:source': 'ecommerce.users' } }, { 'events:source': 'ecommerce.orders' })).toBe(
      'ImplicitDeny',
    );
  });

  it('condition keys are case-insensitive, values are not', () => {
    expect(check({ StringEquals: { 'Events:Source': 'ecommerce.users' } }, { 'events:source': 'ecommerce.users' })).toBe('Allow');
    expect(check({ StringEquals: { 'events:source': 'ecommerce.users' } }, { 'EVENTS:SOURCE': 'ecommerce.users' })).toBe('Allow');
  });
});

describe('several keys, values and operators (reference_policies_multi-value-conditions.html)', () => {
  const put = (keys: RequestContext['conditionKeys']) => request('events:PutEvents', '*', keys);
  const users = { 'events:source': 'ecommerce.users', 'events:detail-type': 'UserRegistered' };

  it('several values of one key: OR', () => {
    const statements = [
      allow('events:PutEvents', '*', { Condition: { StringEquals: { 'events:source': ['ecommerce.orders', 'ecommerce.users'] } } }),
    ];
    expect(decide(statements, put(users))).toBe('Allow');
    expect(decide(statements, put({ 'events:source': 'ecommerce.catalogs' }))).toBe('ImplicitDeny');
  });

  it('several keys under one operator: AND', () => {
    const statements = [
      allow('events:PutEvents', '*', {
        Condition: { StringEquals: { 'events:source': 'ecommerce.users', 'events:detail-type': 'UserRegistered' } },
      }),
    ];
    expect(decide(statements, put(users))).toBe('Allow');
    expect(decide(statements, put({ ...users, 'events:detail-type': 'StockReserved' }))).toBe('ImplicitDeny');
  });

  it('several operators: AND', () => {
    const statements = [
      allow('events:PutEvents', '*', {
        Condition: { StringEquals: { 'events:source': 'ecommerce.users' }, StringLike: { 'events:detail-type': 'User*' } },
      }),
    ];
    expect(decide(statements, put(users))).toBe('Allow');
    expect(decide(statements, put({ ...users, 'events:detail-type': 'OrderPlaced' }))).toBe('ImplicitDeny');
    expect(decide(statements, put({ ...users, 'events:source': 'ecommerce.orders' }))).toBe('ImplicitDeny');
  });

  it('a Deny with a condition denies only where the condition holds', () => {
    const statements = [
      allow('events:PutEvents'),
      deny('events:PutEvents', '*', { Condition: { StringNotEquals: { 'events:source': 'ecommerce.users' } } }),
    ];
    expect(decide(statements, put(users))).toBe('Allow');
    expect(decide(statements, put({ 'events:source': 'ecommerce.catalogs' }))).toBe('ExplicitDeny');
  });
});

describe('set operators on multivalued keys (reference_policies_condition-single-vs-multi-valued-context-keys.html)', () => {
  const query = (keys: RequestContext['conditionKeys']) => request('dynamodb:Query', TABLE, keys);
  const leading = (operator: string, values: string[]) => [
    allow('dynamodb:Query', TABLE, { Condition: { [operator]: { 'dynamodb:LeadingKeys': values } } }),
  ];

  it('ForAllValues: every request value must match one of the policy values', () => {
    expect(
      decide(leading('ForAllValues:StringEquals', ['USER#1', 'USER#2']), query({ 'dynamodb:LeadingKeys': ['USER#1', 'USER#2'] })),
    ).toBe('Allow');
    expect(decide(leading('ForAllValues:StringEquals', ['USER#1']), query({ 'dynamodb:LeadingKeys': ['USER#1', 'USER#2'] }))).toBe(
      'ImplicitDeny',
    );
  });

  it('ForAllValues:StringLike (the DynamoDB fine-grained access example: a key prefix)', () => {
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
    expect(decide(leading('ForAllValues:StringLike', ['EMAIL#*']), query({ 'dynamodb:LeadingKeys': 'EMAIL#a@b.c' }))).toBe('Allow');
    expect(decide(leading('ForAllValues:StringLike', ['EMAIL#*']), query({ 'dynamodb:LeadingKeys': 'USER#1' }))).toBe('ImplicitDeny');
  });

  it('ForAllValues on an absent or empty key is true', () => {
    expect(decide(leading('ForAllValues:StringEquals', ['USER#1']), query({}))).toBe('Allow');
    expect(decide(leading('ForAllValues:StringEquals', ['USER#1']), query({ 'dynamodb:LeadingKeys': [] }))).toBe('Allow');
  });

  it('ForAnyValue: at least one request value must match; absent or empty is false', () => {
    expect(decide(leading('ForAnyValue:StringEquals', ['USER#1']), query({ 'dynamodb:LeadingKeys': ['USER#9', 'USER#1'] }))).toBe('Allow');
    expect(decide(leading('ForAnyValue:StringEquals', ['USER#1']), query({ 'dynamodb:LeadingKeys': ['USER#9'] }))).toBe('ImplicitDeny');
    expect(decide(leading('ForAnyValue:StringEquals', ['USER#1']), query({}))).toBe('ImplicitDeny');
    expect(decide(leading('ForAnyValue:StringEquals', ['USER#1']), query({ 'dynamodb:LeadingKeys': [] }))).toBe('ImplicitDeny');
  });

  it('ForAnyValue...IfExists on an absent key is true', () => {
    expect(decide(leading('ForAnyValue:StringEqualsIfExists', ['USER#1']), query({}))).toBe('Allow');
  });

  it('the documented Deny with ForAllValues:StringNotLike (aws:TagKeys, key1*)', () => {
    // reference_policies_condition_examples-multi-valued-context-keys.html: the table of request contexts and results.
    const statements = [
      allow('iam:TagUser'),
      deny('iam:TagUser', '*', { Condition: { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } } }),
    ];
    const tag = (tagKeys?: string[]) => decide(statements, request('iam:TagUser', '*', tagKeys ? { 'aws:TagKeys': tagKeys } : {}));
    expect(tag(['key1:legal'])).toBe('Allow');
    expect(tag(['key1:hr', 'key1:personnel'])).toBe('Allow');
    expect(tag(['key2:audit'])).toBe('ExplicitDeny');
    expect(tag()).toBe('ExplicitDeny');
  });

  it('a plain operator given several request values fails closed (our choice): Allow needs all, Deny fires on any', () => {
    const both = { 'dynamodb:LeadingKeys': ['USER#1', 'USER#2'] };
    expect(
      decide([allow('dynamodb:Query', TABLE, { Condition: { StringEquals: { 'dynamodb:LeadingKeys': 'USER#1' } } })], query(both)),
    ).toBe('ImplicitDeny');
    expect(
      decide(
        [allow('dynamodb:Query'), deny('dynamodb:Query', TABLE, { Condition: { StringEquals: { 'dynamodb:LeadingKeys': 'USER#1' } } })],
        query(both),
      ),
    ).toBe('ExplicitDeny');
  });
});

describe('anything outside the subset throws UnsupportedPolicyError naming it', () => {
  const compile = (statement: unknown) => () =>
    new PolicySet([{ name: 'Role/inline', document: { Version: '2012-10-17', Statement: [statement] } }]);
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'an unknown operator',
      allow('s3:*', '*', { Condition: { StringSortOf: { 'aws:x': 'y' } } }),
      /unknown condition operator StringSortOf/,
    ],
    ['an IP operator', allow('s3:*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), /condition operator IpAddress/],
    ['a binary operator', allow('s3:*', '*', { Condition: { BinaryEquals: { 'aws:x': 'QQ==' } } }), /condition operator BinaryEquals/],
    [
      'an unknown qualifier',
      allow('s3:*', '*', { Condition: { 'ForSomeValues:StringEquals': { 'aws:x': 'y' } } }),
      /ForSomeValues:StringEquals/,
    ],
    ['a qualified Null', allow('s3:*', '*', { Condition: { 'ForAllValues:Null': { 'aws:x': 'true' } } }), /ForAllValues:Null/],
    ['a policy variable in Resource', allow('s3:*', 'arn:aws:s3:::bucket/${aws:username}/*'), /policy variable/],
    [
      'a policy variable in a condition',
      allow('s3:*', '*', { Condition: { StringEquals: { 'aws:x': '${aws:username}' } } }),
      /policy variable/,
    ],
    ['Principal', { ...allow('sqs:SendMessage'), Principal: { Service: 'events.amazonaws.com' } }, /Principal \(an identity-based policy/],
    ['NotPrincipal', { ...deny('sqs:SendMessage'), NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }, /NotPrincipal/],
    ['an unknown element', { ...allow('sqs:SendMessage'), Conditions: {} }, /statement element Conditions/],
    ['a bad Effect', { Effect: 'allow', Action: 'sqs:SendMessage', Resource: '*' }, /Effect "allow"/],
    ['no Resource', { Effect: 'Allow', Action: 'sqs:SendMessage' }, /Resource and NotResource/],
    ['Action and NotAction', { Effect: 'Allow', Action: 'a:b', NotAction: 'a:c', Resource: '*' }, /Action and NotAction/],
    ['an action without service', allow('SendMessage'), /service:action expected/],
    ['a non-numeric numeric value', allow('s3:*', '*', { Condition: { NumericLessThan: { 'aws:x': 'ten' } } }), /non-numeric/],
    ['an object as a value', allow('s3:*', '*', { Condition: { StringEquals: { 'aws:x': { a: 1 } } } }), /condition value/],
  ];
  it.each(cases)('%s', (_name, statement, message) => {
    expect(compile(statement)).toThrow(UnsupportedPolicyError);
    expect(compile(statement)).toThrow(message);
  });

  it('names the policy and statement', () => {
    expect(compile({ Sid: 'Bad', ...allow('s3:*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } } }) })).toThrow(
      /^Role\/inline Statement\[0\] \(Bad\): the condition operator IpAddress is not supported/,
    );
  });

  it('refuses an unknown Version or document element', () => {
    expect(() => new PolicySet([{ name: 'p', document: { Version: '2020-01-01', Statement: [] } }])).toThrow(/Version/);
    expect(() => new PolicySet([{ name: 'p', document: { Statement: [], Extra: 1 } }])).toThrow(/policy element Extra/);
  });
});
