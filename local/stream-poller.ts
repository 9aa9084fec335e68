/**
 * Drives a DynamoDB-Stream-triggered function as Lambda's event source mapping does: reads each
 * shard in order, invokes the function with a batch, and advances only past what succeeded.
 * With ReportBatchItemFailures the batch is retried from the first failed SequenceNumber; a thrown
 * error retries the whole batch; after MaximumRetryAttempts the batch is discarded as on AWS: its invocation
 * record goes to the mapping's on-failure destination (an SQS queue) and the reader moves past it.
 * Checkpoints are kept in a file when given, so a restarted stack resumes where it stopped
 * instead of losing (LATEST) or replaying (TRIM_HORIZON) the stream.
 * Written here because serverless-offline-dynamodb-streams ignores batchItemFailures.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type DynamoDBStreamsClient,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { streamBatchSpan } from './telemetry/hooks.js';
import type { Telemetry } from './telemetry/recorder.js';
import { IdleWait } from './idle-wait.js';
import type { Invoker } from './sqs-poller.js';

export interface StreamPollerOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  functionName: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  maximumRetryAttempts: number;
  region: string;
  invoke: Invoker;
  checkpointFile?: string;
  /**
   * ParallelizationFactor: batches of one shard in flight at once. Records are split by item key, so one
   * item's changes stay in order, as on AWS; 1 (the default) is one batch per shard at a time.
   */
  parallelizationFactor?: number;
  /** Longest wait between empty reads of the shards (it backs off to this; wake() cuts it short). */
  maxIdleMs?: number;
  /**
   * BisectBatchOnFunctionError: AWS halves a failing batch (without using up retries) until the failing record is
   * alone, so what it finally discards is that record; without it, the whole batch it retried is discarded.
   */
  bisectBatchOnFunctionError?: boolean;
  /**
   * Sends a discarded batch's invocation record to the mapping's on-failure destination (DestinationConfig.OnFailure;
   * the local stack sends it to the SQS queue). Without one the batch is discarded with a log line only, as on AWS.
   */
  onFailure?: (record: StreamFailureRecord) => Promise<void>;
  /** The account in the function ARN of an invocation record; default the local stack's 000000000000. */
  accountId?: string;
  log?: (message: string) => void;
  /** Spans for each batch (local/telemetry/); none without it. */
  telemetry?: Telemetry;
}

/**
 * The invocation record Lambda sends to a stream mapping's on-failure destination (SQS: the message body, as JSON):
 * the shape of the "Example Invocation Record" for a DynamoDB stream in the AWS Lambda Developer Guide, "Retain
 * discarded records for a DynamoDB event source in Lambda"
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html). The records themselves are not in it,
 * only where they are in the stream. Times of arrival are the records' ApproximateCreationDateTime, to the second.
 */
export interface StreamFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted';
    approximateInvokeCount: number;
  };
  /** functionError "Unhandled" when the function failed; absent when it answered with batchItemFailures. */
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

/** The invocation record of a discarded batch (its records in stream order). */
export function streamFailureRecord(input: {
  records: StreamRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  invokeCount: number;
  functionError: boolean;
  now: Date;
  requestId?: string;
}): StreamFailureRecord {
  const first = input.records[0]?.dynamodb;
  const last = input.records[input.records.length - 1]?.dynamodb;
  // Whole seconds, as AWS writes them ("2019-11-14T00:13:19Z").
  const arrival = (value: Date | undefined) => (value ?? input.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    requestContext: {
      requestId: input.requestId ?? randomUUID(),
      functionArn: input.functionArn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: input.invokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(input.functionError ? { functionError: 'Unhandled' } : {}) },
    version: '1.0',
    timestamp: input.now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first?.SequenceNumber ?? '',
      endSequenceNumber: last?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(first?.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: arrival(last?.ApproximateCreationDateTime),
      batchSize: input.records.length,
      streamArn: input.streamArn,
    },
  };
}

interface ShardState {
  iterator: string | undefined;
  lastSequenceNumber?: string;
  attempts: number;
  closed: boolean;
}

/** The first SequenceNumber to retry from, or undefined when the whole batch succeeded. */
export function retryFrom(
  records: { sequenceNumber: string }[],
  payload: unknown,
  ok: boolean,
  reportBatchItemFailures: boolean,
): string | undefined {
  const first = records[0]?.sequenceNumber;
  if (!ok) return first;
  if (!reportBatchItemFailures) return undefined;
  const failures = (payload as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null)?.batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return first;
  const ids = records.map((r) => r.sequenceNumber);
  let earliest: number | undefined;
  for (const failure of failures) {
    const index = typeof failure?.itemIdentifier === 'string' ? ids.indexOf(failure.itemIdentifier) : -1;
    if (index < 0) return first; // an unknown or empty identifier fails the whole batch, as on AWS
    earliest = earliest === undefined ? index : Math.min(earliest, index);
  }
  return earliest === undefined ? undefined : ids[earliest];
}

export class StreamPoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private streamArn = '';
  private readonly shards = new Map<string, ShardState>();
  private checkpoints: Record<string, string> = {};
  private readonly idle: IdleWait;

  constructor(private readonly options: StreamPollerOptions) {
    // Writes through the local DynamoDB endpoint wake it, so an idle stream can wait long.
    this.idle = new IdleWait(25, options.maxIdleMs ?? 15_000);
  }

  get tableName(): string {
    return this.options.tableName;
  }

  /** The table was just written (the local DynamoDB endpoint says so): read the stream now. */
  wake(): void {
    this.idle.wake();
  }

  async start(): Promise<void> {
    const table = await this.options.dynamodb.send(new DescribeTableCommand({ TableName: this.options.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`Table ${this.options.tableName} has no stream, but ${this.options.functionName} reads one`);
    this.streamArn = arn;
    if (this.options.checkpointFile && existsSync(this.options.checkpointFile)) {
      this.checkpoints = JSON.parse(readFileSync(this.options.checkpointFile, 'utf8')) as Record<string, string>;
    }
    await this.discoverShards(true);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.idle.wake();
    await this.loop;
  }

  private checkpointKey(shardId: string) {
    return `${this.streamArn}|${shardId}|${this.options.functionName}`;
  }

  /**
   * Every stream mapping of the stack writes the same file: each write changes only its own entry, keeping the
   * others' as they stand in it now (read and written synchronously: no other poller writes in between), and replaces
   * the file in one rename, so a crash (SIGKILL) mid-write leaves the previous file, not a torn one.
   */
  private saveCheckpoint(shardId: string, sequenceNumber: string) {
    const key = this.checkpointKey(shardId);
    this.checkpoints[key] = sequenceNumber;
    const file = this.options.checkpointFile;
    if (!file) return;
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...saved, [key]: sequenceNumber }));
    renameSync(`${file}.tmp`, file);
  }

  private async iterator(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined> {
    const result = await this.options.streams.send(
      new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }),
    );
    return result.ShardIterator;
  }

  private async discoverShards(initial: boolean): Promise<void> {
    const description = await this.options.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId as string;
      if (this.shards.has(shardId)) continue;
      const checkpoint = this.checkpoints[this.checkpointKey(shardId)];
      let iterator: string | undefined;
      if (checkpoint) iterator = await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', checkpoint);
      else if (initial && this.options.startingPosition === 'LATEST') iterator = await this.iterator(shardId, 'LATEST');
      else iterator = await this.iterator(shardId, 'TRIM_HORIZON'); // shards born later are read from their start
      this.shards.set(shardId, { iterator, attempts: 0, closed: false, ...(checkpoint ? { lastSequenceNumber: checkpoint } : {}) });
    }
  }

  private async run(): Promise<void> {
    let rounds = 0;
    while (this.running) {
      let sawRecords = false;
      try {
        if (++rounds % 50 === 0) await this.discoverShards(false);
        // The shards side by side, each with its batches in order.
        const open = [...this.shards].filter(([, shard]) => !shard.closed && shard.iterator);
        sawRecords = (await Promise.all(open.map(([shardId, shard]) => this.pollShard(shardId, shard)))).some(Boolean);
      } catch (error) {
        this.options.log?.(`stream poller for ${this.options.functionName}: ${(error as Error).message}`);
      }
      if (sawRecords) this.idle.busy();
      else await this.idle.idle();
    }
  }

  private async pollShard(shardId: string, shard: ShardState): Promise<boolean> {
    let page;
    try {
      page = await this.options.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.options.batchSize }));
    } catch (error) {
      // DynamoDB Local numbers stream records with one counter across all tables, so an iterator
      // taken on a table's still-empty shard can later be refused as trimmed (or expire, as on
      // AWS after 15 minutes): take a fresh one from where this reader stands.
      const name = (error as Error).name;
      if (name !== 'TrimmedDataAccessException' && name !== 'ExpiredIteratorException') throw error;
      shard.iterator = shard.lastSequenceNumber
        ? await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', shard.lastSequenceNumber)
        : await this.iterator(shardId, 'TRIM_HORIZON');
      return false;
    }
    const records = page.Records ?? [];
    if (records.length === 0) {
      shard.iterator = page.NextShardIterator;
      if (!shard.iterator) shard.closed = true;
      return false;
    }
    const { failedFrom, error, functionError } = await this.invokeInLanes(records);
    if (failedFrom === undefined) {
      shard.attempts = 0;
      shard.iterator = page.NextShardIterator;
      shard.lastSequenceNumber = records[records.length - 1]?.dynamodb?.SequenceNumber;
      if (shard.lastSequenceNumber) this.saveCheckpoint(shardId, shard.lastSequenceNumber);
      if (!shard.iterator) shard.closed = true;
      return true;
    }
    shard.attempts++;
    const retriesLeft = this.options.maximumRetryAttempts < 0 || shard.attempts <= this.options.maximumRetryAttempts;
    // What came before the failed record succeeded: the reader stands past it (as Lambda checkpoints there).
    const from = Math.max(
      0,
      records.findIndex((record) => record.dynamodb?.SequenceNumber === failedFrom),
    );
    const before = records[from - 1]?.dynamodb?.SequenceNumber;
    if (before) {
      shard.lastSequenceNumber = before;
      this.saveCheckpoint(shardId, before);
    }
    if (retriesLeft) {
      if (error) this.options.log?.(`${this.options.functionName} failed (attempt ${shard.attempts}): ${error}`);
      shard.iterator = await this.iterator(shardId, 'AT_SEQUENCE_NUMBER', failedFrom);
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** shard.attempts, 2000)));
    } else {
      // As on AWS after MaximumRetryAttempts: discard the batch (to the on-failure destination) and move past it.
      const discarded = this.options.bisectBatchOnFunctionError ? records.slice(from, from + 1) : records.slice(from);
      const range = discarded.map((record) => record.dynamodb?.SequenceNumber as string);
      const end = range[range.length - 1] as string;
      const what = range.length === 1 ? `stream record ${end}` : `stream records ${range[0]}..${end} (${range.length})`;
      if (this.options.onFailure) {
        const record = streamFailureRecord({
          records: discarded,
          shardId,
          streamArn: this.streamArn,
          functionArn: `arn:aws:lambda:${this.options.region}:${this.options.accountId ?? '000000000000'}:function:${this.options.functionName}`,
          invokeCount: shard.attempts,
          functionError,
          now: new Date(),
        });
        try {
          await this.options.onFailure(record);
        } catch (sendError) {
          // Not past it until its record is kept: the batch is tried again, then the send.
          this.options.log?.(
            `${this.options.functionName}: could not send ${what} to its on-failure destination: ${(sendError as Error).message}`,
          );
          shard.iterator = await this.iterator(shardId, 'AT_SEQUENCE_NUMBER', failedFrom);
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** shard.attempts, 2000)));
          return true;
        }
        this.options.log?.(`${this.options.functionName}: ${what} sent to the on-failure destination after ${shard.attempts} attempts`);
      } else {
        this.options.log?.(`${this.options.functionName}: skipping ${what} after ${shard.attempts} attempts (no on-failure destination)`);
      }
      shard.attempts = 0;
      shard.lastSequenceNumber = end;
      this.saveCheckpoint(shardId, end);
      shard.iterator = await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', end);
    }
    return true;
  }

  /**
   * Invokes the function with the page, split into ParallelizationFactor lanes side by side (one lane by
   * default). Returns the first record (in page order) to retry from, if any lane failed: the records after
   * it come again, those of other lanes too, which idempotent consumers absorb (AWS also re-delivers).
   */
  private async invokeInLanes(records: StreamRecord[]): Promise<{ failedFrom?: string; error?: string; functionError: boolean }> {
    const position = new Map(records.map((record, index) => [record.dynamodb?.SequenceNumber as string, index]));
    const outcomes = await Promise.all(
      lanesByItemKey(records, this.options.parallelizationFactor ?? 1).map(async (lane) => {
        const event = { Records: lane.map((record) => toLambdaRecord(record, this.streamArn, this.options.region)) };
        const sequence = lane.map((r) => ({ sequenceNumber: r.dynamodb?.SequenceNumber as string }));
        // A new root per batch: a stream carries no trace context on AWS.
        const span = streamBatchSpan(this.options.telemetry, this.options.tableName, this.options.functionName, event.Records);
        const result = await (this.options.telemetry?.within(span, () => this.options.invoke(this.options.functionName, event)) ??
          this.options.invoke(this.options.functionName, event));
        span.end(result.ok ? 'ok' : 'error');
        const failedFrom = retryFrom(sequence, result.ok ? result.payload : null, result.ok, this.options.reportBatchItemFailures);
        return { failedFrom, error: result.ok ? undefined : result.error };
      }),
    );
    const failed = outcomes.filter((outcome) => outcome.failedFrom !== undefined);
    if (failed.length === 0) return { functionError: false };
    const first = failed.reduce((a, b) =>
      (position.get(a.failedFrom as string) ?? 0) <= (position.get(b.failedFrom as string) ?? 0) ? a : b,
    );
    return {
      failedFrom: first.failedFrom,
      error: failed.find((outcome) => outcome.error)?.error,
      // The lane the batch is retried for threw (or timed out), rather than answering with batchItemFailures.
      functionError: first.error !== undefined,
    };
  }
}

/** Splits a page into `lanes` by item key, keeping each item's records in order. */
export function lanesByItemKey(records: StreamRecord[], lanes: number): StreamRecord[][] {
  const split: StreamRecord[][] = Array.from({ length: Math.max(1, lanes) }, () => []);
  for (const record of records) {
    const key = JSON.stringify(record.dynamodb?.Keys ?? {});
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
    split[hash % split.length]?.push(record);
  }
  return split.filter((lane) => lane.length > 0);
}

/** GetRecords output -> the record shape Lambda delivers (dates as epoch seconds). */
function toLambdaRecord(record: StreamRecord, streamArn: string, region: string) {
  const dynamodb = record.dynamodb ?? {};
  const created = dynamodb.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...dynamodb,
      ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : created,
    },
  };
}
