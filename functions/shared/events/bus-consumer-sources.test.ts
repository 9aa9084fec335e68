// busEventConsumer and who may announce what: an event whose source does not own its detail-type (the
// contracts' eventSources) is dropped (not handled, not failed, so never retried) and counted; contention is
// retried by the queue and counted apart from failures.
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import { WriteContentionError } from '../dynamodb.js';
import { logger, metrics } from '../observability.js';
import { busEventConsumer } from './bus-consumer.js';
import { eventSources, type EventType } from './contracts.js';
import { asSqsRecord, exampleEvent } from './examples/examples.js';

const withSource = (type: EventType, source: string, messageId: string) => asSqsRecord({ ...exampleEvent(type), source }, messageId);
const batch = (...records: ReturnType<typeof asSqsRecord>[]): SQSEvent => ({ Records: records });

let addMetric: MockInstance<typeof metrics.addMetric>;
let logError: MockInstance<typeof logger.error>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  logError = vi.spyOn(logger, 'error');
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const metricNames = () => addMetric.mock.calls.map(([name]) => name);

describe('busEventConsumer: events only from their owner', () => {
  it.each([
    ['StockReserved', 'ecommerce.users'],
    ['StockReserved', 'ecommerce.orders'],
    ['OrderPlaced', 'ecommerce.catalogs'],
    ['StockRejected', ''],
  ] as const)('drops a %s from %j: the handler never sees it, the message is not failed, and it is counted', async (type, source) => {
    const handle = vi.fn(async () => {});
    const handler = busEventConsumer([type], handle);
    const response = await handler(batch(withSource(type, source, 'm-forged')), lambdaContext);
    expect(handle).not.toHaveBeenCalled();
    expect(response.batchItemFailures).toEqual([]);
    expect(metricNames()).toEqual(['eventsFromWrongSource']);
    expect(logError.mock.calls[0]?.[1]).toMatchObject({ messageId: 'm-forged', detailType: type, source, owner: eventSources[type] });
  });

  it('control: the same events from their owners are handled', async () => {
    const handle = vi.fn(async () => {});
    const handler = busEventConsumer(['StockReserved', 'StockRejected'], handle);
    const response = await handler(
      batch(withSource('StockReserved', 'ecommerce.catalogs', 'm-1'), withSource('StockRejected', 'ecommerce.catalogs', 'm-2')),
      lambdaContext,
    );
    expect(handle).toHaveBeenCalledTimes(2);
    expect(response.batchItemFailures).toEqual([]);
    expect(metricNames()).not.toContain('eventsFromWrongSource');
  });

  it('a forged event among good ones is dropped alone', async () => {
    const handled: string[] = [];
    const handler = busEventConsumer(['OrderPlaced'], async (event) => {
      handled.push(event.messageId);
    });
    const response = await handler(
      batch(withSource('OrderPlaced', 'ecommerce.orders', 'm-good'), withSource('OrderPlaced', 'ecommerce.users', 'm-forged')),
      lambdaContext,
    );
    expect(handled).toEqual(['m-good']);
    expect(response.batchItemFailures).toEqual([]);
  });
});

describe('busEventConsumer: contention', () => {
  it('a write that kept conflicting fails its message (the queue delivers it again) and counts as a retry, not a failure', async () => {
    const handler = busEventConsumer(['OrderPlaced'], async () => {
      throw new WriteContentionError('still conflicting');
    });
    const response = await handler(batch(withSource('OrderPlaced', 'ecommerce.orders', 'm-1')), lambdaContext);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(metricNames()).toEqual(['consumerRetries']);
    expect(logError).not.toHaveBeenCalled();
  });
});
