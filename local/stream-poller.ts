/**
 * Drives a DynamoDB-Stream-triggered function as Lambda's event source mapping does: reads each
 * shard in order, invokes the function with a batch, and advances only past what succeeded.
 * With ReportBatchItemFailures the batch is retried from the first failed SequenceNumber; a thrown
 * error retries the whole batch; after MaximumRetryAttempts the failing record is skipped (logged).
 * Checkpoints are kept in a file when given, so a restarted stack resumes where it stopped
 * instead of losing (LATEST) or replaying (TRIM_HORIZON) the stream.
 * Written here because serverless-offline-dynamodb-streams ignores batchItemFailures.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type DynamoDBStreamsClient,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
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
  log?: (message: string) => void;
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

  private saveCheckpoint(shardId: string, sequenceNumber: string) {
    if (!this.options.checkpointFile) return;
    this.checkpoints[this.checkpointKey(shardId)] = sequenceNumber;
    writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
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
    const { failedFrom, error } = await this.invokeInLanes(records);
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
    if (retriesLeft) {
      if (error) this.options.log?.(`${this.options.functionName} failed (attempt ${shard.attempts}): ${error}`);
      shard.iterator = await this.iterator(shardId, 'AT_SEQUENCE_NUMBER', failedFrom);
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** shard.attempts, 2000)));
    } else {
      // As on AWS after MaximumRetryAttempts: give up on the failing record and move past it.
      this.options.log?.(`${this.options.functionName}: skipping stream record ${failedFrom} after ${shard.attempts} attempts`);
      shard.attempts = 0;
      this.saveCheckpoint(shardId, failedFrom);
      shard.iterator = await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', failedFrom);
    }
    return true;
  }

  /**
   * Invokes the function with the page, split into ParallelizationFactor lanes side by side (one lane by
   * default). Returns the first record (in page order) to retry from, if any lane failed: the records after
   * it come again, those of other lanes too, which idempotent consumers absorb (AWS also re-delivers).
   */
  private async invokeInLanes(records: StreamRecord[]): Promise<{ failedFrom?: string; error?: string }> {
    const position = new Map(records.map((record, index) => [record.dynamodb?.SequenceNumber as string, index]));
    const outcomes = await Promise.all(
      lanesByItemKey(records, this.options.parallelizationFactor ?? 1).map(async (lane) => {
        const event = { Records: lane.map((record) => toLambdaRecord(record, this.streamArn, this.options.region)) };
        const sequence = lane.map((r) => ({ sequenceNumber: r.dynamodb?.SequenceNumber as string }));
        const result = await this.options.invoke(this.options.functionName, event);
        const failedFrom = retryFrom(sequence, result.ok ? result.payload : null, result.ok, this.options.reportBatchItemFailures);
        return { failedFrom, error: result.ok ? undefined : result.error };
      }),
    );
    const failed = outcomes.filter((outcome) => outcome.failedFrom !== undefined);
    if (failed.length === 0) return {};
    const first = failed.reduce((a, b) =>
      (position.get(a.failedFrom as string) ?? 0) <= (position.get(b.failedFrom as string) ?? 0) ? a : b,
    );
    return { failedFrom: first.failedFrom, error: failed.find((outcome) => outcome.error)?.error };
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
