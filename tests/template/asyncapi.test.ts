/**
 * The events' AsyncAPI document (functions/shared/events/asyncapi.ts) against what stage dev deploys, both ways:
 * every bus rule that feeds a queue is one receive operation's channel (its pattern, queue, DLQ and redrive as the
 * document says), every receive operation's channel is such a rule's queue, consumed by the function named by the
 * operation; and the asyncapi function ships the example files it reads.
 */
import { join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { beforeAll, describe, expect, it } from 'vitest';
import { asyncApiDocument } from '../../functions/shared/events/asyncapi.js';
import { loadEventExamples } from '../../functions/shared/events/asyncapi-examples.js';
import { eventDataSchemas } from '../../functions/shared/events/contracts.js';
import type { CfnResource, CfnTemplate } from '../../local/cloudformation.js';
import { PACKAGED_STAGES, packageFolderOf } from './stages.js';
import { templateOf } from './templates.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dev = PACKAGED_STAGES.find((stage) => stage.name === 'dev') as (typeof PACKAGED_STAGES)[number];

let template: CfnTemplate;
beforeAll(async () => {
  template = await templateOf(dev);
});

const logicalIdOf = (value: unknown) =>
  (value as { Ref?: string }).Ref ?? (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];

/** What one queue-feeding rule delivers where, in the document's terms; from the template or from the document. */
interface Route {
  rule: string;
  consumer: string;
  queue: string;
  deadLetterQueue: string;
  ruleDeadLetterQueue: string;
  maxReceiveCount: number;
  visibilityTimeout: number;
  messageRetentionPeriod: number;
  deadLetterRetentionPeriod: number;
  sources: string[];
  detailTypes: string[];
}

function deployedRoutes(): Route[] {
  const resources = template.Resources;
  const resource = (id: string | undefined): CfnResource => {
    const found = resources[id ?? ''];
    if (!found) throw new Error(`no resource ${id}`);
    return found;
  };
  const queueNameOf = (id: string | undefined) => String(resource(id).Properties?.QueueName);
  const consumerOf = (queueId: string | undefined) => {
    const mappings = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && logicalIdOf(r.Properties?.EventSourceArn) === queueId,
    );
    expect(mappings, `the event source mappings of ${queueId}`).toHaveLength(1);
    const functionId = logicalIdOf(mappings[0]?.Properties?.FunctionName) ?? '';
    return `${functionId.charAt(0).toLowerCase()}${functionId.slice(1)}`.replace(/LambdaFunction$/, '');
  };
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern !== undefined)
    .flatMap(([ruleId, rule]) => {
      expect(logicalIdOf(rule.Properties?.EventBusName), `${ruleId} is on the stage's bus`).toBe('EventBus');
      const targets = (rule.Properties?.Targets as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }> | undefined) ?? [];
      return targets
        .filter((target) => resource(logicalIdOf(target.Arn)).Type === 'AWS::SQS::Queue')
        .map((target): Route => {
          const queueId = logicalIdOf(target.Arn);
          const queue = resource(queueId).Properties as {
            VisibilityTimeout: number;
            MessageRetentionPeriod: number;
            RedrivePolicy: { deadLetterTargetArn: unknown; maxReceiveCount: number };
          };
          const dlqId = logicalIdOf(queue.RedrivePolicy.deadLetterTargetArn);
          const pattern = rule.Properties?.EventPattern as { source: string[]; 'detail-type': string[] };
          return {
            rule: ruleId,
            consumer: consumerOf(queueId),
            queue: queueNameOf(queueId),
            deadLetterQueue: queueNameOf(dlqId),
            ruleDeadLetterQueue: queueNameOf(logicalIdOf(target.DeadLetterConfig?.Arn)),
            maxReceiveCount: Number(queue.RedrivePolicy.maxReceiveCount),
            visibilityTimeout: Number(queue.VisibilityTimeout),
            messageRetentionPeriod: Number(queue.MessageRetentionPeriod),
            deadLetterRetentionPeriod: Number(resource(dlqId).Properties?.MessageRetentionPeriod),
            sources: [...pattern.source].sort(),
            detailTypes: [...pattern['detail-type']].sort(),
          };
        });
    });
}

interface QueueChannel {
  bindings: {
    sqs: {
      queue: {
        name: string;
        visibilityTimeout: number;
        messageRetentionPeriod: number;
        redrivePolicy: { deadLetterQueue: { name: string }; maxReceiveCount: number };
      };
      deadLetterQueue: { name: string; messageRetentionPeriod: number };
    };
  };
  'x-eventbridge-rule': {
    resource: string;
    eventPattern: { source: string[]; 'detail-type': string[] };
    target: string;
    deadLetterQueue: string;
  };
}

function describedRoutes(stage: string): Route[] {
  const document = asyncApiDocument({ version: 'test', examples: {} }) as {
    channels: Record<string, QueueChannel>;
    operations: Record<string, { action: string; channel: { $ref: string } }>;
  };
  const named = (name: string) => name.replace('{stage}', stage);
  return Object.entries(document.operations)
    .filter(([, op]) => op.action === 'receive')
    .map(([consumer, op]): Route => {
      const channel = document.channels[op.channel.$ref.replace('#/channels/', '')] as QueueChannel;
      const { queue, deadLetterQueue } = channel.bindings.sqs;
      const rule = channel['x-eventbridge-rule'];
      expect(named(rule.target), `${consumer}: the rule's target is the channel's queue`).toBe(named(queue.name));
      return {
        rule: rule.resource,
        consumer,
        queue: named(queue.name),
        deadLetterQueue: named(queue.redrivePolicy.deadLetterQueue.name),
        ruleDeadLetterQueue: named(rule.deadLetterQueue),
        maxReceiveCount: queue.redrivePolicy.maxReceiveCount,
        visibilityTimeout: queue.visibilityTimeout,
        messageRetentionPeriod: queue.messageRetentionPeriod,
        deadLetterRetentionPeriod: deadLetterQueue.messageRetentionPeriod,
        sources: [...rule.eventPattern.source].sort(),
        detailTypes: [...rule.eventPattern['detail-type']].sort(),
      };
    });
}

const byRule = (routes: Route[]) => [...routes].sort((a, b) => a.rule.localeCompare(b.rule));

describe('the AsyncAPI document and stage dev', () => {
  it("describes every bus rule that feeds a queue, and nothing else, as a receive operation on that queue's channel", () => {
    const deployed = deployedRoutes();
    expect(deployed.length).toBeGreaterThan(0);
    expect(byRule(describedRoutes('dev'))).toEqual(byRule(deployed));
  });

  it('names the bus the stage deploys', () => {
    const bus = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::EventBus');
    expect(bus.map((r) => r.Properties?.Name)).toEqual(['ecommerce-dev']);
    const document = asyncApiDocument({ version: 'test', examples: {} }) as { channels: { bus: { address: string } } };
    expect(document.channels.bus.address.replace('{stage}', 'dev')).toBe('ecommerce-dev');
  });

  it('ships the example of every event in the asyncapi zip, where the handler reads them', () => {
    const entries = new AdmZip(join(ROOT, packageFolderOf(dev), 'asyncapi.zip')).getEntries().map((entry) => entry.entryName);
    for (const type of Object.keys(eventDataSchemas)) expect(entries).toContain(`functions/shared/events/examples/${type}.json`);
    expect(Object.keys(loadEventExamples(ROOT)).sort()).toEqual(Object.keys(eventDataSchemas).sort());
  });
});
