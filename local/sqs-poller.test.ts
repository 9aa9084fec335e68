import { describe, expect, it } from 'vitest';
import { succeededIds } from './sqs-poller.js';
import { lanesByItemKey, retryFrom } from './stream-poller.js';

const ids = ['a', 'b', 'c'];

describe('succeededIds (SQS partial batch responses, AWS semantics)', () => {
  it('a thrown error fails the whole batch', () => {
    expect(succeededIds(ids, { ok: false, error: 'boom' }, true)).toEqual([]);
    expect(succeededIds(ids, { ok: false, error: 'boom' }, false)).toEqual([]);
  });

  it('without ReportBatchItemFailures, a returned list is ignored', () => {
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'a' }] } }, false)).toEqual(ids);
  });

  it('keeps only the listed failures on the queue', () => {
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, true)).toEqual(['a', 'c']);
  });

  it('an empty list or no list means all succeeded', () => {
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: [] } }, true)).toEqual(ids);
    expect(succeededIds(ids, { ok: true, payload: null }, true)).toEqual(ids);
  });

  it('an unknown, empty or malformed identifier fails the whole batch', () => {
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: [{ itemIdentifier: 'zzz' }] } }, true)).toEqual([]);
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: [{ itemIdentifier: '' }] } }, true)).toEqual([]);
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: [{}] } }, true)).toEqual([]);
    expect(succeededIds(ids, { ok: true, payload: { batchItemFailures: 'b' } }, true)).toEqual([]);
  });
});

describe('retryFrom (stream partial batch responses)', () => {
  const records = [{ sequenceNumber: '100' }, { sequenceNumber: '200' }, { sequenceNumber: '300' }];

  it('success advances past the batch', () => {
    expect(retryFrom(records, { batchItemFailures: [] }, true, true)).toBeUndefined();
    expect(retryFrom(records, undefined, true, true)).toBeUndefined();
  });

  it('retries from the earliest failed record', () => {
    expect(retryFrom(records, { batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] }, true, true)).toBe('200');
  });

  it('an error or an unknown identifier retries the whole batch', () => {
    expect(retryFrom(records, null, false, true)).toBe('100');
    expect(retryFrom(records, { batchItemFailures: [{ itemIdentifier: '999' }] }, true, true)).toBe('100');
  });

  it('without ReportBatchItemFailures only an error retries', () => {
    expect(retryFrom(records, { batchItemFailures: [{ itemIdentifier: '200' }] }, true, false)).toBeUndefined();
  });
});

describe('lanesByItemKey (stream ParallelizationFactor)', () => {
  const record = (id: string, sequenceNumber: string) => ({ dynamodb: { Keys: { pk: { S: id } }, SequenceNumber: sequenceNumber } });
  const page = ['a', 'b', 'c', 'a', 'd', 'b', 'a', 'e', 'f', 'c'].map((id, i) => record(id, String(100 + i)));
  const idsOf = (lane: typeof page) => lane.map((r) => r.dynamodb.Keys.pk.S);

  it('one lane is the page as it came', () => {
    expect(lanesByItemKey(page, 1)).toEqual([page]);
  });

  it("splits by item key: every record once, each item's records in one lane and in order", () => {
    const lanes = lanesByItemKey(page, 3) as (typeof page)[];
    expect(lanes.length).toBeGreaterThan(1);
    expect(
      lanes
        .flat()
        .map((r) => r.dynamodb.SequenceNumber)
        .sort(),
    ).toEqual(page.map((r) => r.dynamodb.SequenceNumber));
    for (const id of ['a', 'b', 'c']) {
      const holding = lanes.filter((lane) => idsOf(lane).includes(id));
      expect(holding).toHaveLength(1);
      const sequence = (holding[0] as typeof page).filter((r) => r.dynamodb.Keys.pk.S === id).map((r) => r.dynamodb.SequenceNumber);
      expect(sequence).toEqual([...sequence].sort());
    }
  });
});
