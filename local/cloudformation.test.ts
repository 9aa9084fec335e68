import { describe, expect, it } from 'vitest';
import { localStackModel, type CfnTemplate } from './cloudformation.js';

const template: CfnTemplate = {
  Resources: {
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'shop-test' } },
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'shop-test-orders', StreamSpecification: { StreamViewType: 'NEW_IMAGE' } },
    },
    WorkQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'shop-test-work',
        VisibilityTimeout: 60,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDlq', 'Arn'] }, maxReceiveCount: 3 },
      },
    },
    WorkDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-test-work-dlq' } },
    Rule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { Ref: 'Bus' },
        EventPattern: { source: ['ecommerce.orders'], 'detail-type': ['OrderPlaced'] },
        Targets: [{ Id: 'work', Arn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] } }],
      },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-test-consumer' } },
    Sweeper: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-test-sweep' } },
    // As `serverless package` compiles a `schedule` event (SweepPendingOrdersEventsRuleSchedule1).
    SweepSchedule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [{ Input: '{}', Arn: { 'Fn::GetAtt': ['Sweeper', 'Arn'] }, Id: 'sweepSchedule' }],
      },
    },
    NightlyRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: 'shop-test-nightly',
        ScheduleExpression: 'cron(0 2 * * ? *)',
        State: 'DISABLED',
        Targets: [
          { Id: 'a', Arn: { 'Fn::GetAtt': ['Sweeper', 'Arn'] } },
          { Id: 'b', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:shop-test-consumer' },
        ],
      },
    },
    ReportSchedule: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        Name: 'shop-test-report',
        GroupName: 'reports',
        ScheduleExpression: 'cron(0 9 ? * MON *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        Target: { Arn: { 'Fn::GetAtt': ['Sweeper', 'Arn'] }, RoleArn: 'arn:aws:iam::123456789012:role/x', Input: '{"report":"weekly"}' },
      },
    },
    OnceSchedule: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        ScheduleExpression: 'at(2030-01-01T00:00:00)',
        State: 'DISABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: { 'Fn::GetAtt': ['Sweeper', 'Arn'] }, RoleArn: 'arn:aws:iam::123456789012:role/x' },
      },
    },
    Publisher: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'shop-test-publisher' } },
    QueueMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] },
        BatchSize: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    },
    StreamMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['Publisher', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
        MaximumRetryAttempts: 5,
        ParallelizationFactor: 4,
      },
    },
    FailuresQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'shop-test-outbox-failures' } },
    // As `serverless package` compiles a stream event with `destinations: { onFailure: { arn: !GetAtt ..., type: sqs } }`.
    OutboxMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['Publisher', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['FailuresQueue', 'Arn'] } } },
      },
    },
    AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'shop-test-alerts' } },
  },
};

describe('localStackModel', () => {
  const model = localStackModel(template);

  it('finds tables, buses and queues with their redrive policy', () => {
    expect(model.tables.map((t) => t.properties.TableName)).toEqual(['shop-test-orders']);
    expect(model.eventBuses).toEqual(['shop-test']);
    const work = model.queues.find((q) => q.name === 'shop-test-work');
    expect(work?.attributes).toEqual({ VisibilityTimeout: '60' });
    expect(work?.redrive).toEqual({ deadLetterQueueName: 'shop-test-work-dlq', maxReceiveCount: 3 });
  });

  it('resolves rule targets and bus references to names', () => {
    expect(model.rules).toEqual([
      {
        logicalId: 'Rule',
        eventBusName: 'shop-test',
        eventPattern: { source: ['ecommerce.orders'], 'detail-type': ['OrderPlaced'] },
        enabled: true,
        targets: [{ id: 'work', queueName: 'shop-test-work' }],
      },
    ]);
  });

  it('reads scheduled rules and Scheduler schedules with their function targets and inputs', () => {
    expect(model.schedules).toEqual([
      {
        logicalId: 'SweepSchedule',
        service: 'events',
        name: 'SweepSchedule',
        expression: 'rate(1 minute)',
        timezone: 'UTC',
        enabled: true,
        targets: [{ id: 'sweepSchedule', functionName: 'shop-test-sweep', input: '{}' }],
      },
      {
        logicalId: 'NightlyRule',
        service: 'events',
        name: 'shop-test-nightly',
        expression: 'cron(0 2 * * ? *)',
        timezone: 'UTC',
        enabled: false,
        targets: [
          { id: 'a', functionName: 'shop-test-sweep' },
          { id: 'b', functionName: 'shop-test-consumer' },
        ],
      },
      {
        logicalId: 'ReportSchedule',
        service: 'scheduler',
        name: 'shop-test-report',
        groupName: 'reports',
        expression: 'cron(0 9 ? * MON *)',
        timezone: 'Europe/Paris',
        enabled: true,
        targets: [{ id: 'Target', functionName: 'shop-test-sweep', input: '{"report":"weekly"}' }],
      },
      {
        logicalId: 'OnceSchedule',
        service: 'scheduler',
        name: 'OnceSchedule',
        groupName: 'default',
        expression: 'at(2030-01-01T00:00:00)',
        timezone: 'UTC',
        enabled: false,
        targets: [{ id: 'Target', functionName: 'shop-test-sweep' }],
      },
    ]);
    expect(model.rules.map((r) => r.logicalId)).toEqual(['Rule']);
  });

  it('refuses schedule targets and settings the local scheduler cannot honour', () => {
    const variant = (edit: (resources: CfnTemplate['Resources']) => void) => {
      const copy: CfnTemplate = structuredClone(template);
      edit(copy.Resources);
      return () => localStackModel(copy);
    };
    const ruleTarget = (r: CfnTemplate['Resources']) => (r.SweepSchedule!.Properties!.Targets as Array<Record<string, unknown>>)[0]!;
    const scheduleProps = (r: CfnTemplate['Resources']) => r.ReportSchedule!.Properties!;
    expect(variant((r) => (ruleTarget(r).Arn = { 'Fn::GetAtt': ['WorkQueue', 'Arn'] }))).toThrow(
      'SweepSchedule: target sweepSchedule is WorkQueue (AWS::SQS::Queue); the local scheduler invokes Lambda functions only',
    );
    expect(variant((r) => (ruleTarget(r).Arn = 'arn:aws:sqs:eu-west-1:123456789012:shop-test-work'))).toThrow(
      /not an unqualified Lambda function ARN/,
    );
    expect(
      variant((r) => ((scheduleProps(r).Target as Record<string, unknown>).Arn = 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage')),
    ).toThrow(/ReportSchedule: Target is arn:aws:scheduler:::aws-sdk:sqs:sendMessage, not an unqualified Lambda function ARN/);
    expect(variant((r) => (ruleTarget(r).Input = 'not json'))).toThrow(/Input is not JSON/);
    expect(variant((r) => (ruleTarget(r).InputTransformer = { InputTemplate: '"x"' }))).toThrow(/InputTransformer/);
    expect(variant((r) => (r.SweepSchedule!.Properties!.EventBusName = { Ref: 'Bus' }))).toThrow(/default bus only/);
    expect(variant((r) => (scheduleProps(r).EndDate = '2030-01-01T00:00:00Z'))).toThrow(/ReportSchedule: EndDate is not emulated/);
  });

  it('maps queue and stream event sources to function names', () => {
    const queue = model.eventSourceMappings.find((m) => m.logicalId === 'QueueMapping');
    expect(queue).toMatchObject({
      functionName: 'shop-test-consumer',
      source: { kind: 'sqs', queueName: 'shop-test-work' },
      batchSize: 5,
      reportBatchItemFailures: true,
    });
    const stream = model.eventSourceMappings.find((m) => m.logicalId === 'StreamMapping');
    expect(stream).toMatchObject({
      functionName: 'shop-test-publisher',
      source: { kind: 'dynamodb-stream', tableName: 'shop-test-orders' },
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 5,
      parallelizationFactor: 4,
      reportBatchItemFailures: false,
    });
    expect(queue?.parallelizationFactor).toBe(1);
  });

  it("reads a stream mapping's on-failure destination queue and bisect setting", () => {
    const outbox = model.eventSourceMappings.find((m) => m.logicalId === 'OutboxMapping');
    expect(outbox).toMatchObject({
      onFailureQueueName: 'shop-test-outbox-failures',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
    });
    const plain = model.eventSourceMappings.find((m) => m.logicalId === 'StreamMapping');
    expect(plain?.bisectBatchOnFunctionError).toBe(false);
    expect(plain).not.toHaveProperty('onFailureQueueName');

    const withDestination = (destination: unknown) => {
      const copy: CfnTemplate = structuredClone(template);
      copy.Resources.OutboxMapping!.Properties!.DestinationConfig = { OnFailure: { Destination: destination } };
      return copy;
    };
    const literal = localStackModel(withDestination('arn:aws:sqs:us-east-1:123456789012:shop-test-outbox-failures'));
    expect(literal.eventSourceMappings.find((m) => m.logicalId === 'OutboxMapping')?.onFailureQueueName).toBe('shop-test-outbox-failures');
  });

  it('refuses on-failure destinations the local stack cannot deliver to', () => {
    const withDestination = (mapping: string, destination: unknown) => {
      const copy: CfnTemplate = structuredClone(template);
      copy.Resources[mapping]!.Properties!.DestinationConfig = { OnFailure: { Destination: destination } };
      return () => localStackModel(copy);
    };
    expect(withDestination('OutboxMapping', { Ref: 'AlertTopic' })).toThrow(
      'OutboxMapping: DestinationConfig.OnFailure.Destination is AlertTopic (AWS::SNS::Topic); the local stack sends on-failure records to SQS queues only',
    );
    expect(withDestination('OutboxMapping', 'arn:aws:sns:us-east-1:123456789012:shop-test-alerts')).toThrow(/not an SQS queue ARN/);
    expect(withDestination('QueueMapping', { 'Fn::GetAtt': ['FailuresQueue', 'Arn'] })).toThrow(
      /QueueMapping: DestinationConfig applies to stream sources/,
    );
  });

  it('refuses what the local bus cannot emulate instead of silently differing', () => {
    const withTransformer: CfnTemplate = structuredClone(template);
    (withTransformer.Resources.Rule!.Properties!.Targets as Array<Record<string, unknown>>)[0]!.InputTransformer = { InputTemplate: '"x"' };
    expect(() => localStackModel(withTransformer)).toThrow(/InputTransformer/);
  });

  it('reports a dangling reference clearly', () => {
    const broken: CfnTemplate = structuredClone(template);
    delete broken.Resources.WorkDlq;
    expect(() => localStackModel(broken)).toThrow(/WorkDlq/);
  });
});
