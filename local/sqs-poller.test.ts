import { describe, expect, it } from 'vitest';
import { succeededIds } from './sqs-poller.js';
import { retryFrom } from './stream-poller.js';

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
