/**
 * Queue -> function delivery against the real SQS emulator: only the failed messages of a batch
 * come back, none is deleted unprocessed, and a message that keeps failing is moved to the DLQ by
 * the queue's redrive policy after maxReceiveCount receives, while its batch-mates are processed once.
 * It scales out as Lambda does: up to its concurrency while receives come back full, one batch while they come back short.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, expect, it } from 'vitest';
import { SqsPoller, type Invoker } from '../../local/sqs-poller.js';
import { redrive } from '../../scripts/redrive-dlq.js';
import { eventually, sqsClient } from '../support/aws.js';
import { describeLocal } from '../support/env.js';

describeLocal('SQS -> function delivery with partial batch failures (real SQS emulator)', () => {
  const sqs = sqsClient();
  const run = Date.now().toString(36);
  let queueUrl = '';
  let dlqUrl = '';
  let queueArn = '';

  beforeAll(async () => {
    dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `delivery-dlq-${run}` }))).QueueUrl as string;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: `delivery-${run}`,
          Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
        }),
      )
    ).QueueUrl as string;
    queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes
      ?.QueueArn as string;
  });

  const count = async (url: string) => {
    const attributes = (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes;
    return Number(attributes?.ApproximateNumberOfMessages) + Number(attributes?.ApproximateNumberOfMessagesNotVisible);
  };

  // The emulator counts in-flight messages in both attributes; on AWS they are disjoint.
  const visible = async (url: string) =>
    Number(
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes
        ?.ApproximateNumberOfMessages,
    );

  it('processes good messages once, returns only the poison one, and redrives it to the DLQ', async () => {
    const processed: string[] = [];
    let poisonAttempts = 0;
    // A real Powertools batch consumer, the same shape the context consumers use.
    const processor = new BatchProcessor(EventType.SQS);
    const consumer = (event: SQSEvent, context: Context) =>
      processPartialResponse(
        event,
        async (record: SQSRecord) => {
          if (record.body === 'poison') {
            poisonAttempts++;
            throw new Error('cannot process');
          }
          processed.push(record.body);
        },
        processor,
        { context },
      );
    const invoke: Invoker = async (_name, event) => {
      try {
        return { ok: true, payload: await consumer(event as SQSEvent, {} as Context) };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    };

    const bodies = ['m1', 'm2', 'poison', 'm3', 'm4'];
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })) }));

    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      region: 'us-east-1',
      functionName: 'consumer',
      batchSize: 10,
      reportBatchItemFailures: true,
      invoke,
      waitTimeSeconds: 0,
      // The queue's: the poller looks again when the poison message is visible again (nothing announces it).
      visibilityTimeoutSeconds: 1,
    });
    poller.start();
    try {
      await eventually(async () => ((await count(dlqUrl)) === 1 && (await count(queueUrl)) === 0 ? true : undefined), {
        attempts: 100,
        delayMs: 100,
      });
    } finally {
      await poller.stop();
    }

    expect(processed.sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(poisonAttempts).toBe(2);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(['poison']);
  });

  it('the redrive command moves DLQ messages back to their queue', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the check above left it invisible for 1 s
    const moved = await redrive(sqs, dlqUrl, queueUrl, 100);
    expect(moved).toBe(1);
    expect(await count(dlqUrl)).toBe(0);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 5 }),
    );
    expect(Messages.map((m) => m.Body)).toEqual(['poison']);
  });

  /**
   * Runs `send` against a new queue drained by a poller allowed 4 batches at once (each handled in 150 ms), until
   * every one of `bodies` is handled; returns what was handled and the most batches that were in flight at once.
   */
  const drain = async (name: string, bodies: string[], send: (queueUrl: string) => Promise<void>) => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `delivery-${name}-${run}` }))).QueueUrl as string;
    const handled: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      region: 'us-east-1',
      functionName: 'slow',
      batchSize: 10,
      reportBatchItemFailures: true,
      concurrency: 4,
      waitTimeSeconds: 0,
      maxIdleMs: 50, // nothing wakes this poller on a send: look often
      invoke: async (_name, event) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 150));
        handled.push(...(event as SQSEvent).Records.map((r) => r.body));
        inFlight--;
        return { ok: true, payload: { batchItemFailures: [] } };
      },
    });
    poller.start();
    try {
      await send(queueUrl);
      await eventually(async () => (handled.length >= bodies.length && (await count(queueUrl)) === 0 ? true : undefined), {
        attempts: 100,
        delayMs: 100,
      });
    } finally {
      await poller.stop();
    }
    return { handled: handled.sort(), maxInFlight };
  };

  // Lambda adds pollers to a mapping while its queue has a backlog, and takes them away when batches come back short.
  it('scales out to its concurrency while receives come back full, each message handled once', async () => {
    const bodies = Array.from({ length: 80 }, (_, i) => `b${i}`);
    const { handled, maxInFlight } = await drain('backlog', bodies, async (queueUrl) => {
      for (let i = 0; i < bodies.length; i += 10) {
        const entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b }));
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      }
    });
    expect(handled).toEqual([...bodies].sort());
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
  });

  it('keeps one batch in flight while batches come back short', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const { handled, maxInFlight } = await drain('trickle', bodies, async (queueUrl) => {
      for (const [i, body] of bodies.entries()) {
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: String(i), MessageBody: body }] }));
        await new Promise((resolve) => setTimeout(resolve, 40)); // arrives while a batch is being handled
      }
    });
    expect(handled).toEqual([...bodies].sort());
    expect(maxInFlight).toBe(1);
  });

  it('a thrown error deletes nothing: the whole batch comes back', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `delivery-crash-${run}` }))).QueueUrl as string;
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: ['x1', 'x2'].map((b, i) => ({ Id: String(i), MessageBody: b })) }),
    );
    const poller = new SqsPoller({
      sqs,
      queueUrl,
      queueArn,
      region: 'us-east-1',
      functionName: 'crashing',
      batchSize: 10,
      reportBatchItemFailures: true,
      invoke: async () => ({ ok: false, error: 'crash' }),
      waitTimeSeconds: 0,
    });
    const outcome = await poller.pollOnce();
    expect(outcome.received).toBeGreaterThan(0);
    expect(outcome.deleted).toBe(0);
    expect(outcome.received).toBe(2);
    expect(await visible(queueUrl)).toBe(2);
  });
});
