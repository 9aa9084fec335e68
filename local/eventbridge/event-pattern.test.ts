import { describe, it, expect } from 'vitest';
import { assertValidEventPattern, matchesEventPattern, type EventPattern } from './event-pattern.js';

// Sample events from AWS's documentation, reused across the operator tests below.

// "Amazon EventBridge event patterns": a simple AWS event from Amazon EC2.
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

// aws/event-ruler README "Ruler by Example": the event its content-filter examples run against.
const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The event with `detail` fields replaced/added (undefined removes a field). */
function withDetail(event: typeof rulerEvent, detail: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...event.detail, ...detail };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return { ...event, detail: merged };
}

describe('realistic emulator routing', () => {
  const pattern: EventPattern = { source: ['ecommerce.orders'], 'detail-type': ['OrderPlaced'] };
  const orderEvent = (detailType: string) => ({
    version: '0',
    id: 'b0c6f8e1-0000-4000-8000-000000000001',
    'detail-type': detailType,
    source: 'ecommerce.orders',
    account: '000000000000',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: { orderId: 'o-1', total: 42.5 },
  });

  it('matches an OrderPlaced event from ecommerce.orders', () => {
    expect(matchesEventPattern(pattern, orderEvent('OrderPlaced'))).toBe(true);
  });

  it('does not match an OrderConfirmed event', () => {
    expect(matchesEventPattern(pattern, orderEvent('OrderConfirmed'))).toBe(false);
  });

  it('does not match the same detail-type from another source', () => {
    expect(matchesEventPattern(pattern, { ...orderEvent('OrderPlaced'), source: 'ecommerce.payments' })).toBe(false);
  });
});

// Doc: "Amazon EventBridge event patterns"
describe('exact values, AND across fields, OR within an array', () => {
  const terminated: EventPattern = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  it('matches the EC2 instance-termination example', () => {
    expect(matchesEventPattern(terminated, ec2Event)).toBe(true);
  });

  it('does not match when one field (AND) differs', () => {
    expect(matchesEventPattern(terminated, { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } })).toBe(false);
  });

  it('uses exact, case-sensitive string matching', () => {
    expect(matchesEventPattern({ detail: { state: ['Terminated'] } }, ec2Event)).toBe(false);
  });

  it('matches any of the values in the array (aws.ec2 or aws.fargate)', () => {
    const pattern: EventPattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(matchesEventPattern(pattern, ec2Event)).toBe(true);
    expect(matchesEventPattern(pattern, { ...ec2Event, source: 'aws.fargate' })).toBe(true);
    expect(matchesEventPattern(pattern, { ...ec2Event, source: 'aws.s3' })).toBe(false);
  });

  it('ignores event fields that the pattern does not mention', () => {
    expect(matchesEventPattern({ region: ['us-west-1'] }, ec2Event)).toBe(true);
  });

  it('does not match when a pattern field is absent from the event', () => {
    expect(matchesEventPattern({ detail: { 'instance-type': ['t3.micro'] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ 'no-such-field': ['x'] }, ec2Event)).toBe(false);
  });

  it('requires the same nesting structure', () => {
    expect(matchesEventPattern({ state: ['terminated'] }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ source: { name: ['aws.ec2'] } }, ec2Event)).toBe(false);
  });

  // Value matching example (Amazon Macie alert), same page.
  it('matches numbers in nested objects (Macie risk-score 80, trigger risk 8)', () => {
    const macie = {
      source: 'aws.macie',
      'detail-type': 'Macie Alert',
      detail: { 'risk-score': 80, trigger: { 'alert-type': 'basic', risk: 8 } },
    };
    const pattern: EventPattern = {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    };
    expect(matchesEventPattern(pattern, macie)).toBe(true);
    expect(matchesEventPattern(pattern, { ...macie, detail: { ...macie.detail, 'risk-score': 79 } })).toBe(false);
    expect(matchesEventPattern(pattern, { ...macie, detail: { ...macie.detail, 'risk-score': '80' } })).toBe(false);
  });

  it('matches booleans by JSON value, not by string', () => {
    expect(matchesEventPattern({ detail: { enabled: [true] } }, { detail: { enabled: true } })).toBe(true);
    expect(matchesEventPattern({ detail: { enabled: [true] } }, { detail: { enabled: 'true' } })).toBe(false);
    expect(matchesEventPattern({ detail: { enabled: [false] } }, { detail: { enabled: true } })).toBe(false);
  });

  // Doc: "Content filtering in Amazon EventBridge event patterns" (note on repeated keys).
  it('uses the last occurrence of a key repeated in the pattern JSON', () => {
    const pattern = JSON.parse('{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}') as EventPattern;
    expect(matchesEventPattern(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });
});

// Doc: "Matching null values and empty strings in Amazon EventBridge event patterns"
describe('null values and empty strings', () => {
  const autoscaling = {
    source: 'aws.autoscaling',
    'detail-type': 'EC2 Instance Launch Successful',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it('matches an empty string with [""]', () => {
    expect(matchesEventPattern({ detail: { eventVersion: [''] } }, autoscaling)).toBe(true);
  });

  it('matches null with [null]', () => {
    expect(matchesEventPattern({ detail: { responseElements: [null] } }, autoscaling)).toBe(true);
  });

  it('does not treat null and empty string as interchangeable', () => {
    expect(matchesEventPattern({ detail: { eventVersion: [null] } }, autoscaling)).toBe(false);
    expect(matchesEventPattern({ detail: { responseElements: [''] } }, autoscaling)).toBe(false);
  });

  it('does not match [null] when the field is absent', () => {
    expect(matchesEventPattern({ detail: { missing: [null] } }, autoscaling)).toBe(false);
  });
});

// Doc: "Arrays in Amazon EventBridge event patterns"
describe('event values that are arrays', () => {
  const pattern: EventPattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };

  it('matches when the pattern array and event array intersect', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  it('does not match when the arrays do not intersect, or the event array is empty', () => {
    expect(matchesEventPattern(pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-0'] })).toBe(false);
    expect(matchesEventPattern(pattern, { resources: [] })).toBe(false);
  });

  it('applies operators to each element of an event array', () => {
    expect(matchesEventPattern({ detail: { tags: [{ prefix: 'env:' }] } }, { detail: { tags: ['team:a', 'env:prod'] } })).toBe(true);
    expect(matchesEventPattern({ detail: { tags: [{ prefix: 'env:' }] } }, { detail: { tags: ['team:a'] } })).toBe(false);
  });

  // aws/event-ruler README, "JSON Array Matching".
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };

  it('matches nested patterns against objects inside event arrays', () => {
    expect(matchesEventPattern({ employees: { firstName: ['Anna'] } }, employees)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Mary'] } }, employees)).toBe(false);
  });

  it('requires all fields to match within the same array element', () => {
    expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees)).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Prefix matching.
describe('prefix', () => {
  const pattern: EventPattern = { time: [{ prefix: '2017-10-02' }] };

  it('matches a string that starts with the prefix', () => {
    expect(matchesEventPattern(pattern, { time: '2017-10-02T18:43:48Z' })).toBe(true);
  });

  it('does not match a different prefix, or a different case', () => {
    expect(matchesEventPattern(pattern, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    expect(matchesEventPattern({ region: [{ prefix: 'EU-' }] }, { region: 'eu-west-1' })).toBe(false);
  });

  it('only applies to strings', () => {
    expect(matchesEventPattern({ detail: { code: [{ prefix: '20' }] } }, { detail: { code: 200 } })).toBe(false);
  });

  it('matches European regions for Auto Scaling events', () => {
    const eu: EventPattern = { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] };
    expect(matchesEventPattern(eu, { source: 'aws.autoscaling', region: 'eu-central-1' })).toBe(true);
    expect(matchesEventPattern(eu, { source: 'aws.autoscaling', region: 'us-east-1' })).toBe(false);
  });

  it('with an empty prefix matches any string value', () => {
    expect(matchesEventPattern({ source: [{ prefix: '' }] }, ec2Event)).toBe(true);
  });

  // Prefix matching while ignoring case.
  it('with equals-ignore-case matches regardless of case', () => {
    const ignoreCase: EventPattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matchesEventPattern(ignoreCase, { detail: { service: 'eventbridge' } })).toBe(true);
    expect(matchesEventPattern(ignoreCase, { detail: { service: 'EVENTBRIDGE' } })).toBe(true);
    expect(matchesEventPattern(ignoreCase, { detail: { service: 'sqs' } })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Suffix matching.
describe('suffix', () => {
  const pattern: EventPattern = { FileName: [{ suffix: '.png' }] };

  it('matches a string that ends with the suffix', () => {
    expect(matchesEventPattern(pattern, { FileName: 'image.png' })).toBe(true);
  });

  it('does not match another ending or another case', () => {
    expect(matchesEventPattern(pattern, { FileName: 'image.jpg' })).toBe(false);
    expect(matchesEventPattern(pattern, { FileName: 'image.PNG' })).toBe(false);
  });

  it('with equals-ignore-case matches any casing of the suffix', () => {
    const ignoreCase: EventPattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matchesEventPattern(ignoreCase, { detail: { FileName: 'image.PNG' } })).toBe(true);
    expect(matchesEventPattern(ignoreCase, { detail: { FileName: 'image.png' } })).toBe(true);
    expect(matchesEventPattern(ignoreCase, { detail: { FileName: 'image.gif' } })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Equals-ignore-case matching
// (operator table: "Name": [ { "equals-ignore-case": "alice" } ]).
describe('equals-ignore-case', () => {
  const pattern: EventPattern = { Name: [{ 'equals-ignore-case': 'alice' }] };

  it('matches the same string in any case', () => {
    expect(matchesEventPattern(pattern, { Name: 'Alice' })).toBe(true);
    expect(matchesEventPattern(pattern, { Name: 'ALICE' })).toBe(true);
  });

  it('does not match a different string or a non-string', () => {
    expect(matchesEventPattern(pattern, { Name: 'Alicia' })).toBe(false);
    expect(matchesEventPattern({ code: [{ 'equals-ignore-case': '1' }] }, { code: 1 })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Wildcard matching; escaping
// rules from the aws/event-ruler README ("Wildcard matching").
describe('wildcard', () => {
  it('matches any run of characters in place of *', () => {
    const pattern: EventPattern = { source: [{ wildcard: 'Simple*Service' }] };
    expect(matchesEventPattern(pattern, { source: 'SimpleQueueService' })).toBe(true);
    expect(matchesEventPattern(pattern, { source: 'SimpleService' })).toBe(true);
    expect(matchesEventPattern(pattern, { source: 'SimpleQueueServices' })).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'NotSimpleQueueService' })).toBe(false);
  });

  it('supports several wildcards in one value', () => {
    const pattern: EventPattern = {
      EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }],
    };
    expect(matchesEventPattern(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' })).toBe(true);
    expect(matchesEventPattern(pattern, { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' })).toBe(false);
  });

  it('treats other characters, including regex metacharacters, literally', () => {
    const pattern: EventPattern = { file: [{ wildcard: 'dir/*.png' }] };
    expect(matchesEventPattern(pattern, { file: 'dir/a.png' })).toBe(true);
    expect(matchesEventPattern(pattern, { file: 'dir/a-png' })).toBe(false);
  });

  it('matches a literal asterisk when escaped with a backslash', () => {
    const pattern: EventPattern = { note: [{ wildcard: 'a\\*b' }] };
    expect(matchesEventPattern(pattern, { note: 'a*b' })).toBe(true);
    expect(matchesEventPattern(pattern, { note: 'axxb' })).toBe(false);
  });

  it('only applies to strings', () => {
    expect(matchesEventPattern({ n: [{ wildcard: '1*' }] }, { n: 12 })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Anything-but matching.
describe('anything-but', () => {
  it('excludes a single string', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: 'running' }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: 'initializing' }))).toBe(false);
  });

  it('excludes a single number', () => {
    const pattern: EventPattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'x-limit': 124 }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'x-limit': 123 }))).toBe(false);
  });

  it('excludes a list of strings', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: 'running' }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: 'stopped' }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: 'overloaded' }))).toBe(false);
  });

  it('excludes a list of numbers', () => {
    const pattern: EventPattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'x-limit': 150 }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'x-limit': 200 }))).toBe(false);
  });

  it('excludes a prefix (process only your own events, not aws.*)', () => {
    const state: EventPattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesEventPattern(state, withDetail(rulerEvent, { state: 'running' }))).toBe(true);
    expect(matchesEventPattern(state, withDetail(rulerEvent, { state: 'initializing' }))).toBe(false);

    const ownEvents: EventPattern = { source: [{ 'anything-but': { prefix: 'aws.' } }] };
    expect(matchesEventPattern(ownEvents, { source: 'ecommerce.orders' })).toBe(true);
    expect(matchesEventPattern(ownEvents, { source: 'aws.ec2' })).toBe(false);
  });

  it('excludes a suffix', () => {
    const pattern: EventPattern = { FileName: [{ 'anything-but': { suffix: '.png' } }] };
    expect(matchesEventPattern(pattern, { FileName: 'notes.txt' })).toBe(true);
    expect(matchesEventPattern(pattern, { FileName: 'image.png' })).toBe(false);
  });

  it('excludes ignoring case', () => {
    const pattern: EventPattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    expect(matchesEventPattern(pattern, { state: 'running' })).toBe(true);
    expect(matchesEventPattern(pattern, { state: 'INITIALIZING' })).toBe(false);

    const list: EventPattern = { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] };
    expect(matchesEventPattern(list, { state: 'Stopped' })).toBe(false);
    expect(matchesEventPattern(list, { state: 'running' })).toBe(true);
  });

  it('excludes a wildcard', () => {
    const pattern: EventPattern = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
    expect(matchesEventPattern(pattern, { FilePath: '/usr/bin/tool' })).toBe(true);
    expect(matchesEventPattern(pattern, { FilePath: '/usr/lib/tool' })).toBe(false);
  });

  it('does not match when the field is absent', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: undefined }))).toBe(false);
  });

  // AWS behaviour confirmed in localstack/localstack#9711 and #13268: a null value is "anything but".
  it('matches a null value', () => {
    expect(matchesEventPattern({ detail: { command: [{ 'anything-but': ['no-message'] }] } }, { detail: { command: null } })).toBe(true);
    expect(matchesEventPattern({ detail: { file: [{ 'anything-but': { suffix: '.png' } }] } }, { detail: { file: null } })).toBe(true);
  });

  it('on an event array, matches when some element is not excluded', () => {
    const pattern: EventPattern = { tags: [{ 'anything-but': 'internal' }] };
    expect(matchesEventPattern(pattern, { tags: ['internal', 'public'] })).toBe(true);
    expect(matchesEventPattern(pattern, { tags: ['internal'] })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Numeric matching.
describe('numeric', () => {
  const pattern: EventPattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches the documented example when every field is in range', () => {
    expect(matchesEventPattern(pattern, rulerEvent)).toBe(true);
  });

  it('does not match when any field is out of range', () => {
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'c-count': 0 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'c-count': 6 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'd-count': 10 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'x-limit': 301.9 }))).toBe(false);
  });

  it('respects inclusive and exclusive bounds', () => {
    const range: EventPattern = { Price: [{ numeric: ['>=', 10, '<', 20] }] };
    expect(matchesEventPattern(range, { Price: 10 })).toBe(true);
    expect(matchesEventPattern(range, { Price: 19.99 })).toBe(true);
    expect(matchesEventPattern(range, { Price: 20 })).toBe(false);
    expect(matchesEventPattern(range, { Price: 9.99 })).toBe(false);
  });

  it('matches equality ("Price is 100")', () => {
    expect(matchesEventPattern({ Price: [{ numeric: ['=', 100] }] }, { Price: 100 })).toBe(true);
    expect(matchesEventPattern({ Price: [{ numeric: ['=', 100] }] }, { Price: 101 })).toBe(false);
  });

  it('only works with JSON numbers', () => {
    expect(matchesEventPattern({ Price: [{ numeric: ['>', 0] }] }, { Price: '5' })).toBe(false);
    expect(matchesEventPattern({ Price: [{ numeric: ['>', 0] }] }, { Price: null })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — IP address matching.
describe('cidr', () => {
  const pattern: EventPattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };

  it('matches IPv4 addresses inside the block', () => {
    expect(matchesEventPattern(pattern, { detail: { sourceIPAddress: '10.0.0.0' } })).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { sourceIPAddress: '10.0.0.255' } })).toBe(true);
  });

  it('does not match addresses outside the block or non-addresses', () => {
    expect(matchesEventPattern(pattern, { detail: { sourceIPAddress: '10.0.1.1' } })).toBe(false);
    expect(matchesEventPattern(pattern, { detail: { sourceIPAddress: 'not-an-ip' } })).toBe(false);
    expect(matchesEventPattern(pattern, { detail: { sourceIPAddress: '::ffff:10.0.0.1' } })).toBe(false);
  });

  it('matches IPv6 addresses', () => {
    const v6: EventPattern = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(matchesEventPattern(v6, { ip: '2001:db8:1234::1' })).toBe(true);
    expect(matchesEventPattern(v6, { ip: '2001:db9::1' })).toBe(false);
    expect(matchesEventPattern(v6, { ip: '10.0.0.1' })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Exists matching.
describe('exists', () => {
  it('exists: true matches an event that has detail.state', () => {
    const pattern: EventPattern = { detail: { state: [{ exists: true }] } };
    const event = {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  it('exists: true does not match an event without detail.state', () => {
    const pattern: EventPattern = { detail: { state: [{ exists: true }] } };
    const event = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { 'c-count': { c1: 100 } },
    };
    expect(matchesEventPattern(pattern, event)).toBe(false);
  });

  it('exists: true matches a null value (presence, not value)', () => {
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, { detail: { state: null } })).toBe(true);
  });

  it('exists: false matches an event without detail.c-count', () => {
    const pattern: EventPattern = { detail: { 'c-count': [{ exists: false }] } };
    const event = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  it('exists: false also matches when detail.c-count is an object, because it is not a leaf', () => {
    const pattern: EventPattern = { detail: { 'c-count': [{ exists: false }] } };
    const event = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
  });

  it('exists: false does not match when the field is present', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, rulerEvent)).toBe(false);
  });

  it('exists: false matches when the parent object is missing too', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, { source: 'x' })).toBe(true);
  });

  it('combines with other fields (select events that have a description)', () => {
    const pattern: EventPattern = { source: ['aws.ec2'], detail: { description: [{ exists: true }] } };
    expect(matchesEventPattern(pattern, { source: 'aws.ec2', detail: { description: 'hello' } })).toBe(true);
    expect(matchesEventPattern(pattern, { source: 'aws.ec2', detail: {} })).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Or matching ($or); the
// combinations below are the aws/event-ruler README "$or" examples.
describe('$or', () => {
  const cloudwatch = { source: 'aws.cloudwatch', metricName: 'NetworkIn', namespace: 'AWS/Lambda', scope: 'Account' };

  it('source AND (metricName OR namespace)', () => {
    const pattern: EventPattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(matchesEventPattern(pattern, { ...cloudwatch, metricName: 'CPUUtilization' })).toBe(true);
    expect(matchesEventPattern(pattern, { ...cloudwatch, namespace: 'AWS/ES' })).toBe(true);
    expect(matchesEventPattern(pattern, cloudwatch)).toBe(false);
    expect(matchesEventPattern(pattern, { ...cloudwatch, source: 'aws.ec2', namespace: 'AWS/ES' })).toBe(false);
  });

  it('does not match when no branch matches (aws.ec2 or aws.s3, event from my.app)', () => {
    const pattern: EventPattern = { $or: [{ source: ['aws.ec2'] }, { source: ['aws.s3'] }] };
    expect(matchesEventPattern(pattern, { source: 'my.app' })).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'aws.s3' })).toBe(true);
  });

  it('supports an AND inside a branch and nested $or', () => {
    const pattern: EventPattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    expect(matchesEventPattern(pattern, { ...cloudwatch, metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(matchesEventPattern(pattern, { ...cloudwatch, metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 })).toBe(false);
    expect(matchesEventPattern(pattern, { ...cloudwatch, scope: 'Service' })).toBe(true);
  });

  it('works inside nested objects, in parallel with a top-level $or', () => {
    const pattern: EventPattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(matchesEventPattern(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(matchesEventPattern(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'Other' } })).toBe(false);
  });

  it('branches may use content filters', () => {
    const pattern: EventPattern = {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] },
    };
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'c-count': 50 }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'c-count': 50, 'd-count': 50 }))).toBe(false);
  });
});

// Doc: "Content filtering in Amazon EventBridge event patterns" — Complex example with multiple matching.
describe('complex example', () => {
  const pattern: EventPattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };

  it('matches when every condition holds', () => {
    expect(matchesEventPattern(pattern, rulerEvent)).toBe(true);
  });

  it('does not match when a single condition fails', () => {
    expect(matchesEventPattern(pattern, { ...rulerEvent, time: '2017-10-03T00:00:00Z' })).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { state: 'initializing' }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'x-limit': 200 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail(rulerEvent, { 'source-ip': '192.168.0.1' }))).toBe(false);
  });

  it('mixes exact values and operators in one array (OR)', () => {
    const mixed: EventPattern = { detail: { state: ['pending', { prefix: 'run' }] } };
    expect(matchesEventPattern(mixed, rulerEvent)).toBe(true);
    expect(matchesEventPattern(mixed, withDetail(rulerEvent, { state: 'pending' }))).toBe(true);
    expect(matchesEventPattern(mixed, withDetail(rulerEvent, { state: 'stopped' }))).toBe(false);
  });
});

describe('assertValidEventPattern', () => {
  const invalid = (pattern: unknown) => () => assertValidEventPattern(pattern);

  it('accepts the documented patterns', () => {
    expect(invalid({ source: ['aws.ec2'], detail: { state: ['terminated'] } })).not.toThrow();
    expect(invalid({ detail: { responseElements: [null], eventVersion: [''] } })).not.toThrow();
    expect(
      invalid({
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': { prefix: 'init' } }],
          file: [{ suffix: { 'equals-ignore-case': '.png' } }],
          name: [{ 'equals-ignore-case': 'alice' }],
          path: [{ wildcard: '*/lib/*' }, { 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
          ip: [{ cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }],
          gone: [{ exists: false }],
        },
        $or: [{ a: ['1'] }, { b: [2] }],
      }),
    ).not.toThrow();
  });

  it('rejects a pattern that is not an object', () => {
    expect(invalid(null)).toThrow('Invalid event pattern: expected a JSON object, got null');
    expect(invalid([])).toThrow(/expected a JSON object/);
    expect(invalid('{"source":["aws.ec2"]}')).toThrow(/expected a JSON object/);
  });

  it('rejects leaf values that are not arrays', () => {
    expect(invalid({ source: 'aws.ec2' })).toThrow(
      'Invalid event pattern at "source": a field must map to an array of match values or a nested object, got string "aws.ec2"',
    );
    expect(invalid({ detail: { count: 5 } })).toThrow(/at "detail.count"/);
    expect(invalid({ detail: { flag: true } })).toThrow(/at "detail.flag"/);
    expect(invalid({ detail: { x: null } })).toThrow(/at "detail.x"/);
  });

  it('rejects empty arrays and empty objects', () => {
    expect(invalid({ source: [] })).toThrow(/at "source": empty arrays are not allowed/);
    expect(invalid({})).toThrow(/empty objects are not allowed/);
    expect(invalid({ detail: {} })).toThrow(/at "detail": empty objects are not allowed/);
  });

  it('rejects nested arrays and non-JSON values inside a leaf', () => {
    expect(invalid({ source: [['aws.ec2']] })).toThrow(/at "source\[0\]"/);
    expect(invalid({ n: [Number.NaN] })).toThrow(/at "n\[0\]"/);
  });

  it('rejects unknown operators', () => {
    expect(invalid({ source: [{ contains: 'ec2' }] })).toThrow(/at "source\[0\]": unknown operator "contains"/);
    expect(invalid({ source: [{}] })).toThrow(/exactly one key/);
  });

  it('rejects operator objects with more than one key', () => {
    expect(invalid({ source: [{ prefix: 'aws.', suffix: 'ec2' }] })).toThrow(/exactly one key/);
  });

  it('rejects badly typed operands for prefix, suffix, equals-ignore-case and exists', () => {
    expect(invalid({ a: [{ prefix: 1 }] })).toThrow(/at "a\[0\].prefix"/);
    expect(invalid({ a: [{ prefix: { 'equals-ignore-case': 1 } }] })).toThrow(/at "a\[0\].prefix"/);
    expect(invalid({ a: [{ suffix: { other: '.png' } }] })).toThrow(/at "a\[0\].suffix"/);
    expect(invalid({ a: [{ 'equals-ignore-case': ['x'] }] })).toThrow(/expected a string/);
    expect(invalid({ a: [{ exists: 'true' }] })).toThrow(/expected true or false/);
  });

  it('rejects malformed numeric conditions', () => {
    expect(invalid({ a: [{ numeric: 5 }] })).toThrow(/at "a\[0\].numeric"/);
    expect(invalid({ a: [{ numeric: ['>'] }] })).toThrow(/at "a\[0\].numeric"/);
    expect(invalid({ a: [{ numeric: ['!=', 5] }] })).toThrow(/unknown numeric operator/);
    expect(invalid({ a: [{ numeric: ['>', '5'] }] })).toThrow(/must be a number/);
    expect(invalid({ a: [{ numeric: ['<', 10, '>', 0] }] })).toThrow(/at "a\[0\].numeric"/);
    expect(invalid({ a: [{ numeric: ['=', 1, '<', 5] }] })).toThrow(/at "a\[0\].numeric"/);
    expect(invalid({ a: [{ numeric: ['>', 0, '<', 5, '<', 6] }] })).toThrow(/at "a\[0\].numeric"/);
  });

  it('rejects malformed anything-but conditions', () => {
    expect(invalid({ a: [{ 'anything-but': ['x', 1] }] })).toThrow(/only strings or only numbers/);
    expect(invalid({ a: [{ 'anything-but': [] }] })).toThrow(/only strings or only numbers/);
    expect(invalid({ a: [{ 'anything-but': true }] })).toThrow(/at "a\[0\].anything-but"/);
    expect(invalid({ a: [{ 'anything-but': null }] })).toThrow(/at "a\[0\].anything-but"/);
    expect(invalid({ a: [{ 'anything-but': { numeric: ['>', 1] } }] })).toThrow(/expected exactly one of/);
    expect(invalid({ a: [{ 'anything-but': { prefix: '' } }] })).toThrow(/an empty prefix is not allowed/);
    expect(invalid({ a: [{ 'anything-but': { suffix: 5 } }] })).toThrow(/expected a string/);
  });

  it('rejects malformed wildcards', () => {
    expect(invalid({ a: [{ wildcard: 'a**b' }] })).toThrow(/consecutive wildcard/);
    expect(invalid({ a: [{ wildcard: 'a\\b' }] })).toThrow(/backslash may only escape/);
    expect(invalid({ a: [{ 'anything-but': { wildcard: 'x**' } }] })).toThrow(/consecutive wildcard/);
  });

  it('rejects malformed CIDR blocks', () => {
    expect(invalid({ ip: [{ cidr: '10.0.0.0' }] })).toThrow(/at "ip\[0\].cidr".*not a CIDR block/);
    expect(invalid({ ip: [{ cidr: '10.0.0.0/33' }] })).toThrow(/out-of-range prefix length/);
    expect(invalid({ ip: [{ cidr: 'example.com/24' }] })).toThrow(/not a CIDR block/);
  });

  it('rejects malformed $or', () => {
    expect(invalid({ $or: { a: ['1'] } })).toThrow(/at "\$or": \$or must be an array of at least 2 patterns/);
    expect(invalid({ $or: [{ a: ['1'] }] })).toThrow(/at least 2 patterns/);
    expect(invalid({ $or: [{ a: ['1'] }, ['b']] })).toThrow(/at "\$or\[1\]": expected a JSON object/);
    expect(invalid({ $or: [{ a: ['1'] }, { prefix: ['b'] }] })).toThrow(/"prefix" is an operator/);
    expect(invalid({ detail: { $or: [{ a: 'x' }, { b: ['y'] }] } })).toThrow(/at "detail.\$or\[0\].a"/);
  });

  it('makes matchesEventPattern throw instead of silently not matching', () => {
    expect(() => matchesEventPattern({ source: 'aws.ec2' } as unknown as EventPattern, ec2Event)).toThrow(/at "source"/);
  });
});
