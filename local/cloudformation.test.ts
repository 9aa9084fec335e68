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
      },
    },
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
      reportBatchItemFailures: false,
    });
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
