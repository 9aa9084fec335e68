// The stream poller against a fake DynamoDB Streams shard and a fake function: what it retries, what it discards
// (and sends to the on-failure destination), where it checkpoints, how it recovers a refused iterator, and how
// ParallelizationFactor lanes keep each item's changes in order.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { _Record as StreamRecord, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvokeResult } from './sqs-poller.js';
import { StreamPoller, streamFailureRecord, type StreamFailureRecord, type StreamPollerOptions } from './stream-poller.js';

const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/shop-test-orders/stream/2026-01-01T00:00:00.000';
const SHARD = 'shardId-00000001700000000000-aaaaaaaa';
const CREATED = new Date('2026-01-02T03:04:05.678Z');

const record = (sequenceNumber: string, item = `item-${sequenceNumber}`): StreamRecord => ({
  eventID: `event-${sequenceNumber}`,
  eventName: 'INSERT',
  dynamodb: { Keys: { pk: { S: item } }, SequenceNumber: sequenceNumber, ApproximateCreationDateTime: CREATED },
});

type IteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

/**
 * One shard of a DynamoDB stream, as DynamoDB Streams answers: iterators are positions in the shard; GetRecords
 * returns up to Limit records from there and the iterator after them. `refuse` makes the next GetRecords on a
 * given iterator fail as DynamoDB Streams does for a trimmed or expired one.
 */
class FakeStream {
  readonly records: StreamRecord[] = [];
  readonly iteratorRequests: Array<{ type: IteratorType; sequenceNumber?: string }> = [];
  private readonly iterators = new Map<string, number>();
  private readonly refusals = new Map<string, string>();
  private refuseNext: string | undefined;

  append(...records: StreamRecord[]) {
    this.records.push(...records);
  }

  /** The next GetRecords (on whichever iterator it uses) fails with this error name. */
  refuseNextRead(errorName: 'TrimmedDataAccessException' | 'ExpiredIteratorException') {
    this.refuseNext = errorName;
  }

  private issue(position: number): string {
    const iterator = `iterator-${this.iterators.size}`;
    this.iterators.set(iterator, position);
    return iterator;
  }

  private indexOf(sequenceNumber: string | undefined): number {
    const index = this.records.findIndex((r) => r.dynamodb?.SequenceNumber === sequenceNumber);
    if (index < 0) throw new Error(`no record ${sequenceNumber} in the fake shard`);
    return index;
  }

  readonly client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      await Promise.resolve();
      const input = command.input;
      switch (command.constructor.name) {
        case 'DescribeStreamCommand':
          return { StreamDescription: { StreamArn: STREAM_ARN, Shards: [{ ShardId: SHARD }] } };
        case 'GetShardIteratorCommand': {
          expect(input.ShardId).toBe(SHARD);
          const type = input.ShardIteratorType as IteratorType;
          const sequenceNumber = input.SequenceNumber as string | undefined;
          this.iteratorRequests.push({ type, ...(sequenceNumber ? { sequenceNumber } : {}) });
          const position =
            type === 'TRIM_HORIZON'
              ? 0
              : type === 'LATEST'
                ? this.records.length
                : type === 'AT_SEQUENCE_NUMBER'
                  ? this.indexOf(sequenceNumber)
                  : this.indexOf(sequenceNumber) + 1;
          return { ShardIterator: this.issue(position) };
        }
        case 'GetRecordsCommand': {
          const iterator = input.ShardIterator as string;
          const position = this.iterators.get(iterator);
          if (position === undefined) throw new Error(`unknown iterator ${iterator}`);
          if (this.refuseNext) {
            this.refusals.set(iterator, this.refuseNext);
            this.refuseNext = undefined;
          }
          const refusal = this.refusals.get(iterator);
          if (refusal) throw Object.assign(new Error(`${refusal} for ${iterator}`), { name: refusal });
          const page = this.records.slice(position, position + ((input.Limit as number | undefined) ?? 1000));
          return { Records: page, NextShardIterator: this.issue(position + page.length) };
        }
        default:
          throw new Error(`the fake stream does not answer ${command.constructor.name}`);
      }
    },
  };
}

const fakeTable = { send: async () => ({ Table: { TableName: 'shop-test-orders', LatestStreamArn: STREAM_ARN } }) };

interface Invocation {
  sequenceNumbers: string[];
  items: string[];
}

/** A function that answers each batch with `answer` (the sequence numbers it got), recording what it got. */
function fakeFunction(answer: (sequenceNumbers: string[]) => InvokeResult | Promise<InvokeResult> = () => ({ ok: true, payload: null })) {
  const invocations: Invocation[] = [];
  const invoke = async (_name: string, event: unknown) => {
    const records = (event as { Records: Array<{ dynamodb: { SequenceNumber: string; Keys: { pk: { S: string } } } }> }).Records;
    const sequenceNumbers = records.map((r) => r.dynamodb.SequenceNumber);
    invocations.push({ sequenceNumbers, items: records.map((r) => r.dynamodb.Keys.pk.S) });
    return answer(sequenceNumbers);
  };
  return { invoke, invocations };
}

const failAt = (sequenceNumber: string) => ({ ok: true as const, payload: { batchItemFailures: [{ itemIdentifier: sequenceNumber }] } });

let dir: string;
let pollers: StreamPoller[] = [];
const logs: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-poller-'));
  logs.length = 0;
});
afterEach(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  pollers = [];
  rmSync(dir, { recursive: true, force: true });
});

function poller(stream: FakeStream, options: Partial<StreamPollerOptions> & Pick<StreamPollerOptions, 'invoke'>): StreamPoller {
  const created = new StreamPoller({
    dynamodb: fakeTable as unknown as DynamoDBClient,
    streams: stream.client as unknown as DynamoDBStreamsClient,
    tableName: 'shop-test-orders',
    functionName: 'shop-test-publisher',
    batchSize: 100,
    reportBatchItemFailures: true,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: -1,
    region: 'us-east-1',
    maxIdleMs: 10,
    log: (message) => logs.push(message),
    ...options,
  });
  pollers.push(created);
  return created;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last log lines: ${logs.slice(-3).join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const checkpointIn = (file: string) =>
  existsSync(file) ? Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)[0] : undefined;

describe('StreamPoller', () => {
  it('retries from the first failed record a function reports (batchItemFailures itemIdentifier = SequenceNumber)', async () => {
    const stream = new FakeStream();
    stream.append(...['100', '200', '300', '400', '500'].map((n) => record(n)));
    let answered = 0;
    const fn = fakeFunction(() => (answered++ === 0 ? failAt('300') : { ok: true, payload: { batchItemFailures: [] } }));
    const checkpointFile = join(dir, 'checkpoints.json');
    await poller(stream, { invoke: fn.invoke, checkpointFile }).start();
    await until(() => fn.invocations.length >= 2, 'the retry');
    await until(() => checkpointIn(checkpointFile) === '500', 'the checkpoint past the batch');
    expect(fn.invocations.map((i) => i.sequenceNumbers)).toEqual([
      ['100', '200', '300', '400', '500'],
      ['300', '400', '500'],
    ]);
    expect(stream.iteratorRequests).toContainEqual({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '300' });
  });

  it('after MaximumRetryAttempts sends the failing record to the on-failure destination, then goes on past it', async () => {
    const stream = new FakeStream();
    stream.append(record('100'), record('200'), record('300'));
    const fn = fakeFunction((sequenceNumbers) => (sequenceNumbers.includes('200') ? failAt('200') : { ok: true, payload: null }));
    const sent: StreamFailureRecord[] = [];
    await poller(stream, {
      invoke: fn.invoke,
      maximumRetryAttempts: 2,
      bisectBatchOnFunctionError: true,
      onFailure: async (failure) => {
        sent.push(failure);
      },
    }).start();
    await until(() => fn.invocations.some((i) => i.sequenceNumbers[0] === '300'), 'the record after the discarded one');

    // The first try and two retries from the failed record; then on, past it.
    expect(fn.invocations.map((i) => i.sequenceNumbers)).toEqual([['100', '200', '300'], ['200', '300'], ['200', '300'], ['300']]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:shop-test-publisher',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      // The function answered (with batchItemFailures): no functionError.
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: SHARD,
        startSequenceNumber: '200',
        endSequenceNumber: '200',
        approximateArrivalOfFirstRecord: '2026-01-02T03:04:05Z',
        approximateArrivalOfLastRecord: '2026-01-02T03:04:05Z',
        batchSize: 1,
        streamArn: STREAM_ARN,
      },
    });
  });

  it('without BisectBatchOnFunctionError discards the whole batch it retried, as AWS does, and says the function failed', async () => {
    const stream = new FakeStream();
    stream.append(record('100'), record('200'), record('300'));
    const fn = fakeFunction((sequenceNumbers) =>
      sequenceNumbers.includes('200') ? { ok: false, error: 'boom' } : { ok: true, payload: null },
    );
    const sent: StreamFailureRecord[] = [];
    await poller(stream, {
      invoke: fn.invoke,
      maximumRetryAttempts: 1,
      onFailure: async (failure) => {
        sent.push(failure);
      },
    }).start();
    await until(() => sent.length === 1, 'the discarded batch');
    stream.append(record('400'));
    await until(() => fn.invocations.length === 3, 'the next record');
    expect(fn.invocations.map((i) => i.sequenceNumbers)).toEqual([['100', '200', '300'], ['100', '200', '300'], ['400']]);
    expect(sent[0]?.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    expect(sent[0]?.DDBStreamBatchInfo).toMatchObject({ startSequenceNumber: '100', endSequenceNumber: '300', batchSize: 3 });
    expect(sent[0]?.requestContext.approximateInvokeCount).toBe(2);
  });

  it('checkpoints past a discarded record only once its invocation record is sent, and a restart resumes after it', async () => {
    const stream = new FakeStream();
    stream.append(record('100'), record('200'));
    const fn = fakeFunction((sequenceNumbers) => (sequenceNumbers.includes('200') ? failAt('200') : { ok: true, payload: null }));
    const checkpointFile = join(dir, 'checkpoints.json');
    const checkpointAtSend: Array<string | undefined> = [];
    let sends = 0;
    await poller(stream, {
      invoke: fn.invoke,
      checkpointFile,
      maximumRetryAttempts: 0,
      bisectBatchOnFunctionError: true,
      onFailure: async () => {
        checkpointAtSend.push(checkpointIn(checkpointFile));
        if (sends++ === 0) throw new Error('queue unreachable');
      },
    }).start();
    await until(() => sends === 2, 'the second send');
    await until(() => checkpointIn(checkpointFile) === '200', 'the checkpoint past the discarded record');
    // The first send failed: the reader stayed before the record (it came again) until a send succeeded.
    expect(checkpointAtSend).toEqual(['100', '100']);
    expect(fn.invocations.map((i) => i.sequenceNumbers)).toEqual([['100', '200'], ['200']]);
    expect(logs.some((line) => line.includes('could not send stream record 200 to its on-failure destination: queue unreachable'))).toBe(
      true,
    );

    await Promise.all(pollers.map((p) => p.stop()));
    stream.append(record('300'));
    const restarted = fakeFunction();
    await poller(stream, { invoke: restarted.invoke, checkpointFile }).start();
    await until(() => restarted.invocations.length > 0, 'the restarted reader');
    expect(restarted.invocations.map((i) => i.sequenceNumbers)).toEqual([['300']]);
  });

  it("keeps the other mappings' checkpoints in the file they share, and never leaves it half written", async () => {
    const checkpointFile = join(dir, 'checkpoints.json');
    const orders = new FakeStream();
    const payments = new FakeStream();
    const relay = fakeFunction();
    const other = fakeFunction();
    // Both read the (absent) file before either writes it, as the stack starts its stream pollers one after another.
    await poller(orders, { invoke: relay.invoke, checkpointFile, functionName: 'shop-test-publish-orders' }).start();
    await poller(payments, { invoke: other.invoke, checkpointFile, functionName: 'shop-test-publish-payments' }).start();
    const saved = () => (existsSync(checkpointFile) ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as Record<string, string>) : {});
    const of = (functionName: string) => Object.entries(saved()).find(([key]) => key.endsWith(`|${functionName}`))?.[1];
    orders.append(record('100'), record('200'));
    await until(() => of('shop-test-publish-orders') === '200', 'the orders checkpoint');
    payments.append(record('700'));
    await until(() => of('shop-test-publish-payments') === '700', 'the payments checkpoint');
    orders.append(record('300'));
    await until(() => of('shop-test-publish-orders') === '300', 'the next orders checkpoint');
    expect(saved()).toEqual({
      [`${STREAM_ARN}|${SHARD}|shop-test-publish-orders`]: '300',
      [`${STREAM_ARN}|${SHARD}|shop-test-publish-payments`]: '700',
    });
    // Written beside and renamed over: no temporary file is left behind.
    expect(existsSync(`${checkpointFile}.tmp`)).toBe(false);
  });

  it('recovers a trimmed iterator before anything was read: a fresh one from the trim horizon', async () => {
    const stream = new FakeStream();
    stream.append(record('100'), record('200'));
    stream.refuseNextRead('TrimmedDataAccessException');
    const fn = fakeFunction();
    await poller(stream, { invoke: fn.invoke }).start();
    await until(() => fn.invocations.length > 0, 'the records');
    expect(fn.invocations.map((i) => i.sequenceNumbers)).toEqual([['100', '200']]);
    expect(stream.iteratorRequests).toEqual([{ type: 'TRIM_HORIZON' }, { type: 'TRIM_HORIZON' }]);
  });

  it('recovers an expired iterator after the last record it read, without delivering those again', async () => {
    const stream = new FakeStream();
    stream.append(record('100'), record('200'));
    const fn = fakeFunction();
    await poller(stream, { invoke: fn.invoke }).start();
    await until(() => fn.invocations.length === 1, 'the first records');
    stream.refuseNextRead('ExpiredIteratorException');
    await until(() => stream.iteratorRequests.length === 2, 'a fresh iterator');
    stream.append(record('300'));
    await until(() => fn.invocations.length === 2, 'the next record');
    expect(fn.invocations.map((i) => i.sequenceNumbers)).toEqual([['100', '200'], ['300']]);
    expect(stream.iteratorRequests[1]).toEqual({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '200' });
  });

  it("runs ParallelizationFactor lanes side by side, each item's records in one lane and in order", async () => {
    const stream = new FakeStream();
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    // Each item changed three times, interleaved with the others' changes.
    for (let round = 0; round < 3; round++) {
      for (const [i, item] of items.entries()) stream.append(record(String(100 + round * 10 + i), item));
    }
    let inFlight = 0;
    let mostInFlight = 0;
    const fn = fakeFunction(async () => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return { ok: true, payload: null };
    });
    await poller(stream, { invoke: fn.invoke, parallelizationFactor: 3 }).start();
    await until(() => fn.invocations.reduce((n, i) => n + i.sequenceNumbers.length, 0) === 18, 'every record');

    expect(fn.invocations.length).toBeGreaterThan(1);
    expect(mostInFlight).toBeGreaterThan(1);
    for (const item of items) {
      const holding = fn.invocations.filter((i) => i.items.includes(item));
      expect(holding, `item ${item} in one lane`).toHaveLength(1);
      const own = (holding[0] as Invocation).sequenceNumbers.filter((_, k) => (holding[0] as Invocation).items[k] === item);
      expect(own, `item ${item} in order`).toEqual([...own].sort());
      expect(own).toHaveLength(3);
    }
  });
});

describe('streamFailureRecord', () => {
  it("describes the discarded records' place in the stream, not the records", () => {
    const failure = streamFailureRecord({
      records: [
        { dynamodb: { SequenceNumber: '800000000003126276362', ApproximateCreationDateTime: new Date('2019-11-14T00:13:19.000Z') } },
        { dynamodb: { SequenceNumber: '800000000003126276370', ApproximateCreationDateTime: new Date('2019-11-14T00:13:21.250Z') } },
      ],
      shardId: 'shardId-00000001573689847184-864758bb',
      streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388',
      functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
      invokeCount: 1,
      functionError: true,
      now: new Date('2019-11-14T00:13:49.717Z'),
      requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
    });
    expect(failure).toEqual({
      requestContext: {
        requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81',
        functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2019-11-14T00:13:49.717Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000001573689847184-864758bb',
        startSequenceNumber: '800000000003126276362',
        endSequenceNumber: '800000000003126276370',
        approximateArrivalOfFirstRecord: '2019-11-14T00:13:19Z',
        approximateArrivalOfLastRecord: '2019-11-14T00:13:21Z',
        batchSize: 2,
        streamArn: 'arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388',
      },
    });
  });
});
