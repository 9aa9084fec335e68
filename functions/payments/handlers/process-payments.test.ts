// processPayments (the payments inbox's consumer) on the in-memory fakes: each event reaches the service with its
// correlation id, a charge in flight returns the cancellation to the queue as a retry (not a failure), one
// order's messages in a batch take turns, and an event from a source that does not own it is dropped.
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import type { OutgoingEvent } from '../../shared/events/contracts.js';
import { asSqsRecord, exampleEvent } from '../../shared/events/examples/examples.js';
import { logger, metrics } from '../../shared/observability.js';
import { InMemoryPaymentRepository } from '../adapters/in-memory-payment-repository.js';
import { InMemoryPaymentSimulator } from '../adapters/in-memory-payment-simulator.js';
import { PaymentService } from '../domain/payment-service.js';
import { createHandler } from './process-payments.js';

const requested = exampleEvent('PaymentRequested'); // 4500 on pm_card_visa for order 01JZ8R3M5QK7V2W9X4Y6Z8A0BC
const cancelled = exampleEvent('OrderCancelled'); // the same order, cancelled by its buyer
const ORDER = requested.detail.data.orderId;
const NOW = new Date('2026-03-01T10:01:00.520Z');

function withMethod(event: OutgoingEvent<'PaymentRequested'>, paymentMethod: 'pm_card_declined'): OutgoingEvent<'PaymentRequested'> {
  return { ...event, detail: { ...event.detail, data: { ...event.detail.data, paymentMethod } } };
}

function setup() {
  const repository = new InMemoryPaymentRepository();
  const provider = new InMemoryPaymentSimulator(() => NOW);
  const service = new PaymentService(repository, provider, () => NOW);
  const handler = createHandler(() => service);
  const deliver = (...records: ReturnType<typeof asSqsRecord>[]) => handler({ Records: records } as SQSEvent, lambdaContext);
  return { repository, provider, deliver };
}

let addMetric: MockInstance<typeof metrics.addMetric>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => vi.restoreAllMocks());
const metricNames = () => addMetric.mock.calls.map(([name]) => name);

describe('processPayments', () => {
  it('PaymentRequested: charges the order once, keeping the request’s correlation id for the answer', async () => {
    const { repository, provider, deliver } = setup();
    expect((await deliver(asSqsRecord(requested))).batchItemFailures).toEqual([]);
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'CHARGED', amount: 4500, correlationId: 'corr-example-1' });
    expect(provider.ledgers.get(ORDER)?.charges).toBe(1);
    expect(metricNames()).toContain('paymentsCharged');
  });

  it('a declining token: DECLINED, counted as paymentsDeclined', async () => {
    const { repository, deliver } = setup();
    await deliver(asSqsRecord(withMethod(requested, 'pm_card_declined')));
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'DECLINED', reason: 'CARD_DECLINED' });
    expect(metricNames()).toContain('paymentsDeclined');
  });

  it('a redelivered PaymentRequested charges nothing more and is re-announced', async () => {
    const { repository, provider, deliver } = setup();
    await deliver(asSqsRecord(requested, 'first'));
    await deliver(asSqsRecord(requested, 'again'));
    expect(provider.ledgers.get(ORDER)).toMatchObject({ charges: 1, chargeRequests: 1 });
    expect(repository.announcements.get(ORDER)).toBe(1);
    expect(metricNames().filter((name) => name !== 'ColdStart')).toEqual(['paymentsCharged', 'paymentRequestsRepeated']);
  });

  it('OrderCancelled before the request: a tombstone; the request that comes later charges nothing', async () => {
    const { repository, provider, deliver } = setup();
    await deliver(asSqsRecord(cancelled, 'cancel'));
    await deliver(asSqsRecord(requested, 'late'));
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'CANCELLED', correlationId: 'corr-example-1' });
    expect(provider.ledgers.size).toBe(0);
    expect(metricNames()).toEqual(expect.arrayContaining(['cancellationsBeforeCharge', 'chargesPrevented']));
  });

  it('OrderCancelled again before any request: the tombstone is announced again, counted as cancellationsRepeated', async () => {
    const { repository, deliver } = setup();
    await deliver(asSqsRecord(cancelled, 'cancel'));
    await deliver(asSqsRecord(cancelled, 'cancel-again'));
    expect(repository.announcements.get(ORDER)).toBe(1);
    expect(metricNames().filter((name) => name !== 'ColdStart')).toEqual(['cancellationsBeforeCharge', 'cancellationsRepeated']);
  });

  it('OrderCancelled after a decline: the cancellation recorded on the decline; a later request says nothing new', async () => {
    const { repository, provider, deliver } = setup();
    await deliver(asSqsRecord(withMethod(requested, 'pm_card_declined'), 'decline'));
    await deliver(asSqsRecord(cancelled, 'cancel'));
    await deliver(asSqsRecord(withMethod(requested, 'pm_card_declined'), 'late'));
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'DECLINED', cancelledAt: cancelled.detail.data.cancelledAt });
    expect(provider.ledgers.get(ORDER)).toMatchObject({ chargeRequests: 1, charges: 0 });
    expect(metricNames().filter((name) => name !== 'ColdStart')).toEqual([
      'paymentsDeclined',
      'cancellationsWithoutCharge',
      'paymentRequestsAfterCancel',
    ]);
  });

  it('OrderCancelled after the charge: refunded once, however often it comes', async () => {
    const { repository, provider, deliver } = setup();
    await deliver(asSqsRecord(requested, 'charge'));
    await deliver(asSqsRecord(cancelled, 'cancel'));
    await deliver(asSqsRecord(cancelled, 'cancel-again'));
    expect(repository.payments.get(ORDER)?.status).toBe('REFUNDED');
    expect(provider.ledgers.get(ORDER)).toMatchObject({ charges: 1, refunds: 1 });
    expect(metricNames()).toEqual(expect.arrayContaining(['refunds', 'refundsRepeated']));
  });

  it('one batch with the request and the cancellation of one order: they take turns, so the charge is refunded at once', async () => {
    const { repository, provider, deliver } = setup();
    const response = await deliver(asSqsRecord(requested, 'charge'), asSqsRecord(cancelled, 'cancel'));
    expect(response.batchItemFailures).toEqual([]);
    expect(repository.payments.get(ORDER)?.status).toBe('REFUNDED');
    expect(provider.ledgers.get(ORDER)).toMatchObject({ charges: 1, refunds: 1 });
  });

  it('a cancellation that meets the charge in flight goes back to the queue as a retry, not a failure', async () => {
    const { repository, deliver } = setup();
    await repository.create({ ...requested.detail.data, correlationId: 'c', status: 'CHARGING', requestedAt: NOW.toISOString() });
    const response = await deliver(asSqsRecord(cancelled, 'cancel'));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'cancel' }]);
    expect(metricNames()).toContain('consumerRetries');
    expect(metricNames()).not.toContain('consumerFailures');
  });

  it('a PaymentRequested from a source other than the orders context is dropped: nothing charged, not retried', async () => {
    const { repository, provider, deliver } = setup();
    const response = await deliver(asSqsRecord({ ...requested, source: 'ecommerce.payments' }, 'forged'));
    expect(response.batchItemFailures).toEqual([]);
    expect(repository.payments.size).toBe(0);
    expect(provider.ledgers.size).toBe(0);
    expect(metricNames()).toContain('eventsFromWrongSource');
  });

  it('an event it does not subscribe to fails as a contract violation', async () => {
    const { deliver } = setup();
    const response = await deliver(asSqsRecord(exampleEvent('OrderPlaced'), 'stray'));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'stray' }]);
    expect(metricNames()).toContain('contractViolations');
  });
});
