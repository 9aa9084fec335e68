/**
 * Drives an SQS-triggered function the way Lambda's event source mapping does:
 * receive a batch, invoke the function, delete only what succeeded. With ReportBatchItemFailures
 * the failed ids stay on the queue (their receive count grows, so redrive to the DLQ after
 * maxReceiveCount happens in the queue, as on AWS); a thrown error returns the whole batch.
 * Written here because serverless-offline-sqs deletes every message of a batch, failed or not.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { IdleWait } from './idle-wait.js';
import { endQueueBatch, queueBatchSpan } from './telemetry/hooks.js';
import type { Telemetry } from './telemetry/recorder.js';

export type InvokeResult = { ok: true; payload: unknown } | { ok: false; error: string };
export type Invoker = (functionName: string, event: unknown) => Promise<InvokeResult>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  functionName: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  invoke: Invoker;
  /** Long-poll wait per receive; short in tests so stop() is quick. */
  waitTimeSeconds?: number;
  /** Longest wait between empty short polls (it backs off to this; wake() cuts it short). */
  maxIdleMs?: number;
  /** The queue's visibility timeout: a failed message is received again after it, so the poller looks then. */
  visibilityTimeoutSeconds?: number;
  /** Batches in flight at once, as Lambda scales an SQS mapping out (up to its MaximumConcurrency). */
  concurrency?: number;
  log?: (message: string) => void;
  /** Spans for each batch (local/telemetry/); none without it. */
  telemetry?: Telemetry;
}

export interface BatchOutcome {
  received: number;
  deleted: number;
  failed: number;
}

export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      // The sender's trace (EventBridge passes its X-Amzn-Trace-Id on), as Lambda hands it to the function.
      ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: [],
          binaryListValues: [],
          dataType: value.DataType ?? 'String',
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which message ids of a batch succeeded, from the function's response. AWS's rules: with
 * ReportBatchItemFailures, an empty/absent list means all succeeded; an item identifier that is
 * empty or not in the batch fails the whole batch. Without it, only a thrown error fails.
 */
export function succeededIds(batchIds: string[], result: InvokeResult, reportBatchItemFailures: boolean): string[] {
  if (!result.ok) return [];
  if (!reportBatchItemFailures) return batchIds;
  const payload = result.payload as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null | undefined;
  const failures = payload?.batchItemFailures;
  if (failures === undefined || failures === null) return batchIds;
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = failure?.itemIdentifier;
    if (typeof id !== 'string' || !batchIds.includes(id)) return [];
    failed.add(id);
  }
  return batchIds.filter((id) => !failed.has(id));
}

export class SqsPoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private abort = new AbortController();
  private readonly idle: IdleWait[];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /**
   * The last receive came back full: more messages are likely waiting. Only then do the loops past the first
   * poll, as Lambda adds pollers to a mapping while its queue has a backlog and takes them away when batches
   * come back short. Below that, one batch in flight lets the messages that arrive meanwhile make the next
   * batch bigger: fewer, fuller invocations (bench/saga.ts --rate 40, two interleaved pairs: settle p99
   * 868 and 727 ms against 1329 and 780 ms with 4 loops always polling, ~1.5 ms less offline CPU per order).
   */
  private backlog = false;

  constructor(private readonly options: SqsPollerOptions) {
    // Idle loops wait long: every send to a queue wakes its pollers (local/sqs-emulator.ts), and a failed
    // message, which nobody sends, is looked for when its visibility timeout ends (see pollOnce).
    this.idle = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => new IdleWait(25, options.maxIdleMs ?? 10_000));
  }

  /** Messages were just sent to the queue (the local bus says so): poll now. */
  wake(): void {
    for (const idle of this.idle) idle.wake();
  }

  /** One receive-invoke-delete loop per batch allowed in flight; each backs off on its own while idle. */
  start(): void {
    this.running = true;
    this.loops = this.idle.map((idle, index) => this.run(idle, index));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.abort.abort();
    this.wake();
    await Promise.all(this.loops);
  }

  /** Receives and processes one batch; returns what happened (used by the loop and by tests). */
  async pollOnce(): Promise<BatchOutcome> {
    const { sqs, queueUrl } = this.options;
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(this.options.batchSize, 10),
        WaitTimeSeconds: this.options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
        AttributeNames: ['All'], // the emulator reads only the older parameter name
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    // The emulator can return one message twice in a long poll when its visibility timeout is
    // shorter than the wait; AWS never does within one batch. Keep the newest receipt of each.
    const messages = [...new Map((received.Messages ?? []).map((m) => [m.MessageId, m])).values()];
    const hadBacklog = this.backlog;
    this.backlog = messages.length >= Math.min(this.options.batchSize, 10);
    if (this.backlog && !hadBacklog) this.wake(); // the other loops join in now
    if (messages.length === 0) return { received: 0, deleted: 0, failed: 0 };

    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, this.options.queueArn, this.options.region)) };
    const ids = event.Records.map((r) => r.messageId);
    // A new trace per batch, linked to the traces that sent its messages, as AWS links them.
    const span = queueBatchSpan(this.options.telemetry, this.options.queueArn, this.options.functionName, event.Records);
    const invoke = () => this.options.invoke(this.options.functionName, event);
    const result = await (this.options.telemetry?.within(span, invoke) ?? invoke());
    if (!result.ok) this.options.log?.(`${this.options.functionName} failed a batch of ${ids.length}: ${result.error}`);
    const succeeded = new Set(succeededIds(ids, result, this.options.reportBatchItemFailures));
    // Failed messages mark the batch's span; one on its last receive gets a span for its move to the DLQ.
    endQueueBatch(this.options.telemetry, span, this.options.queueArn, event.Records, {
      invoked: result.ok,
      failedIds: ids.filter((id) => !succeeded.has(id)),
    });
    const toDelete = messages.filter((m) => succeeded.has(m.MessageId ?? ''));
    if (toDelete.length > 0) {
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: toDelete.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      for (const failure of deleted.Failed ?? []) this.options.log?.(`could not delete a message from ${queueUrl}: ${failure.Message}`);
    }
    const failed = messages.length - toDelete.length;
    if (failed > 0) this.wakeWhenVisibleAgain();
    return { received: messages.length, deleted: toDelete.length, failed };
  }

  /** Failed messages come back when their visibility timeout ends; nothing announces that, so look then. */
  private wakeWhenVisibleAgain(): void {
    if (this.options.visibilityTimeoutSeconds === undefined || !this.running) return;
    const timer = setTimeout(
      () => {
        this.retryTimers.delete(timer);
        this.wake();
      },
      this.options.visibilityTimeoutSeconds * 1000 + 100,
    );
    this.retryTimers.add(timer);
  }

  private async run(idle: IdleWait, index: number): Promise<void> {
    while (this.running) {
      if (index > 0 && !this.backlog) {
        await idle.idle(); // woken by sends; joins in when a receive comes back full
        continue;
      }
      try {
        const outcome = await this.pollOnce();
        if (outcome.received > 0) idle.busy();
        else if (!this.options.waitTimeSeconds) await idle.idle();
      } catch (error) {
        if (!this.running) return;
        this.options.log?.(`poller for ${this.options.functionName}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
