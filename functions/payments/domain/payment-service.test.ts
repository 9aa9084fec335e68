// PaymentService on the in-memory fakes (the repository's conditions, the simulator's ledger): every path of a
// payment, its duplicates and its reorderings. The invariant behind each: charged at most once, refunded at most
// once, only what was charged, and a cancelled order never charged after its cancellation is recorded.
import { describe, expect, it } from 'vitest';
import { InMemoryPaymentRepository } from '../adapters/in-memory-payment-repository.js';
import { InMemoryPaymentSimulator } from '../adapters/in-memory-payment-simulator.js';
import type { PaymentMethod } from '../../shared/events/contracts.js';
import { paymentEvent } from './payment-events.js';
import { PaymentService } from './payment-service.js';
import { ChargeInFlightError, type Cancellation, type Payment, type PaymentRequest } from './payment.js';

const ORDER = '01JZ8R3M5QK7V2W9X4Y6Z8A0BC';
const NOW = new Date('2026-03-01T10:01:00.520Z');
const request = (paymentMethod: PaymentMethod = 'pm_card_visa', orderId = ORDER): PaymentRequest => ({
  orderId,
  userId: 'user-1',
  amount: 4500,
  paymentMethod,
  correlationId: 'corr-request',
});
const cancellation = (orderId = ORDER): Cancellation => ({
  orderId,
  userId: 'user-1',
  cancelledAt: '2026-03-01T10:05:00.100Z',
  correlationId: 'corr-cancel',
});

function setup() {
  const repository = new InMemoryPaymentRepository();
  const provider = new InMemoryPaymentSimulator(() => NOW);
  const service = new PaymentService(repository, provider, () => NOW);
  const ledger = (orderId = ORDER) => provider.ledgers.get(orderId);
  return { repository, provider, service, ledger };
}

/** A promise and the function that settles it: holds a charge in flight until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('PaymentService.handleRequest', () => {
  it('pm_card_visa: claims, charges once and records CHARGED with the provider’s payment id and time', async () => {
    const { repository, service, ledger } = setup();
    const result = await service.handleRequest(request());
    expect(result.kind).toBe('charged');
    expect(repository.payments.get(ORDER)).toEqual({
      orderId: ORDER,
      userId: 'user-1',
      amount: 4500,
      paymentMethod: 'pm_card_visa',
      correlationId: 'corr-request',
      requestedAt: NOW.toISOString(),
      status: 'CHARGED',
      paymentId: `pay_${ORDER}`,
      chargedAt: NOW.toISOString(),
    });
    expect(ledger()).toMatchObject({ chargeRequests: 1, charges: 1, amount: 4500 });
  });

  it.each([
    ['pm_card_declined', 'CARD_DECLINED'],
    ['pm_card_insufficient_funds', 'INSUFFICIENT_FUNDS'],
  ] as const)('%s: records DECLINED %s and takes no money', async (paymentMethod, reason) => {
    const { repository, service, ledger } = setup();
    expect((await service.handleRequest(request(paymentMethod))).kind).toBe('declined');
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'DECLINED', reason, declinedAt: NOW.toISOString(), amount: 4500 });
    expect(ledger()).toMatchObject({ chargeRequests: 1, charges: 0, outcome: 'declined' });
  });

  it.each(['pm_card_visa', 'pm_card_declined'] as const)(
    'a repeated request (%s) asks the provider nothing and announces the recorded outcome again',
    async (paymentMethod) => {
      const { repository, service, ledger } = setup();
      await service.handleRequest(request(paymentMethod));
      const before = repository.payments.get(ORDER);
      const again = await service.handleRequest(request(paymentMethod));
      expect(again).toEqual({ kind: 'repeated', payment: before });
      expect(repository.payments.get(ORDER)).toEqual(before);
      expect(repository.announcements.get(ORDER)).toBe(1);
      expect(ledger()?.chargeRequests).toBe(1);
    },
  );

  it('a redelivery after a crash that followed the claim asks the provider again and records its outcome', async () => {
    const { repository, service, ledger } = setup();
    await repository.create({ ...request(), status: 'CHARGING', requestedAt: '2026-03-01T10:00:59.000Z' });
    const result = await service.handleRequest(request());
    expect(result.kind).toBe('charged');
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'CHARGED', requestedAt: '2026-03-01T10:00:59.000Z' });
    expect(ledger()).toMatchObject({ chargeRequests: 1, charges: 1 });
  });

  it('a redelivery after a crash that followed the charge gets the same charge from the provider: charged once', async () => {
    const { repository, provider, ledger } = setup();
    await repository.create({ ...request(), status: 'CHARGING', requestedAt: '2026-03-01T10:00:59.000Z' });
    const first = await provider.charge({ orderId: ORDER, amount: 4500, paymentMethod: 'pm_card_visa' });
    const later = new PaymentService(repository, provider, () => new Date('2026-03-01T10:03:00.000Z'));
    await later.handleRequest(request());
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'CHARGED', chargedAt: first.kind === 'charged' && first.chargedAt });
    expect(ledger()).toMatchObject({ chargeRequests: 2, charges: 1 });
  });

  it('two deliveries side by side: one charge, one charged answer, the other a repeat', async () => {
    const { repository, service, ledger } = setup();
    const results = await Promise.all([service.handleRequest(request()), service.handleRequest(request())]);
    expect(results.map((result) => result.kind).sort()).toEqual(['charged', 'repeated']);
    expect(repository.payments.get(ORDER)?.status).toBe('CHARGED');
    expect(ledger()?.charges).toBe(1);
  });

  it('after a cancellation (tombstone) a request charges nothing and announces nothing', async () => {
    const { repository, service, ledger } = setup();
    await service.handleCancellation(cancellation());
    const result = await service.handleRequest(request());
    expect(result.kind).toBe('prevented');
    expect(repository.payments.get(ORDER)?.status).toBe('CANCELLED');
    expect(ledger()).toBeUndefined();
    expect(repository.announcements.get(ORDER)).toBeUndefined();
  });

  it('a claim that loses to a cancellation written just before it charges nothing', async () => {
    const { repository, service, ledger } = setup();
    repository.beforeWrite = () =>
      repository.payments.set(ORDER, {
        status: 'CANCELLED',
        orderId: ORDER,
        userId: 'user-1',
        cancelledAt: NOW.toISOString(),
        correlationId: 'c',
      });
    expect((await service.handleRequest(request())).kind).toBe('prevented');
    expect(ledger()).toBeUndefined();
  });

  it('after a decline whose cancellation was answered, a request asks nothing and says nothing new', async () => {
    const { repository, service, ledger } = setup();
    await service.handleRequest(request('pm_card_declined'));
    await service.handleCancellation(cancellation());
    const answered = repository.payments.get(ORDER);
    expect((await service.handleRequest(request('pm_card_declined'))).kind).toBe('cancelled-before');
    expect(repository.payments.get(ORDER)).toEqual(answered);
    expect(repository.announcements.get(ORDER)).toBeUndefined();
    expect(ledger()?.chargeRequests).toBe(1);
  });

  it('after a refund a request charges nothing again and says nothing new', async () => {
    const { repository, service, ledger } = setup();
    await service.handleRequest(request());
    await service.handleCancellation(cancellation());
    expect((await service.handleRequest(request())).kind).toBe('refunded-before');
    expect(repository.payments.get(ORDER)?.status).toBe('REFUNDED');
    expect(repository.announcements.get(ORDER)).toBeUndefined();
    expect(ledger()).toMatchObject({ chargeRequests: 1, charges: 1, refunds: 1 });
  });
});

describe('PaymentService.handleCancellation', () => {
  it('before any request: leaves a tombstone with the cancellation’s time and correlation id; nothing charged', async () => {
    const { repository, service, ledger } = setup();
    const result = await service.handleCancellation(cancellation());
    expect(result.kind).toBe('tombstoned');
    expect(repository.payments.get(ORDER)).toEqual({
      status: 'CANCELLED',
      orderId: ORDER,
      userId: 'user-1',
      cancelledAt: '2026-03-01T10:05:00.100Z',
      correlationId: 'corr-cancel',
    });
    expect(ledger()).toBeUndefined();
  });

  it('a charged order: refunds the charge once, records REFUNDED with the cancellation’s correlation id', async () => {
    const { repository, service, ledger } = setup();
    await service.handleRequest(request());
    const result = await service.handleCancellation(cancellation());
    expect(result.kind).toBe('refunded');
    expect(repository.payments.get(ORDER)).toMatchObject({
      status: 'REFUNDED',
      paymentId: `pay_${ORDER}`,
      amount: 4500,
      chargedAt: NOW.toISOString(),
      refundedAt: NOW.toISOString(),
      correlationId: 'corr-cancel',
    });
    expect(ledger()).toMatchObject({ charges: 1, refunds: 1, refundRequests: 1, refundedAmount: 4500 });
  });

  it('a repeated cancellation refunds nothing more and announces the refund again', async () => {
    const { repository, service, ledger } = setup();
    await service.handleRequest(request());
    await service.handleCancellation(cancellation());
    expect((await service.handleCancellation(cancellation())).kind).toBe('refund-repeated');
    expect(repository.announcements.get(ORDER)).toBe(1);
    expect(ledger()).toMatchObject({ refunds: 1, refundRequests: 1 });
  });

  it('two cancellations side by side: one refund', async () => {
    const { repository, service, ledger } = setup();
    await service.handleRequest(request());
    const results = await Promise.all([service.handleCancellation(cancellation()), service.handleCancellation(cancellation())]);
    expect(results.map((result) => result.kind).sort()).toEqual(['refund-repeated', 'refunded']);
    expect(repository.payments.get(ORDER)?.status).toBe('REFUNDED');
    expect(ledger()?.refunds).toBe(1);
  });

  it.each(['pm_card_declined', 'pm_card_insufficient_funds'] as const)(
    'a declined order (%s): nothing to refund; the decline carries the cancellation, so the outbox answers PaymentCancelled',
    async (method) => {
      const { repository, service, ledger } = setup();
      await service.handleRequest(request(method));
      const result = await service.handleCancellation(cancellation());
      expect(result.kind).toBe('nothing-to-refund');
      expect(repository.payments.get(ORDER)).toMatchObject({
        status: 'DECLINED',
        cancelledAt: '2026-03-01T10:05:00.100Z',
        correlationId: 'corr-cancel',
      });
      expect(result.payment).toEqual(repository.payments.get(ORDER));
      expect(paymentEvent(repository.payments.get(ORDER)!)?.detailType).toBe('PaymentCancelled');
      expect(ledger()?.refundRequests).toBeUndefined();
    },
  );

  it('a repeated cancellation of a declined order: PaymentCancelled again, the first answer kept', async () => {
    const { repository, service, ledger } = setup();
    await service.handleRequest(request('pm_card_declined'));
    await service.handleCancellation(cancellation());
    const answered = repository.payments.get(ORDER);
    const later = { ...cancellation(), cancelledAt: '2026-03-01T10:09:00.000Z', correlationId: 'corr-sweep' };
    expect((await service.handleCancellation(later)).kind).toBe('cancel-repeated');
    expect(repository.payments.get(ORDER)).toEqual(answered);
    expect(repository.announcements.get(ORDER)).toBe(1);
    expect(ledger()?.refundRequests).toBeUndefined();
  });

  it('two cancellations of a declined order side by side: one answer recorded, the other a repeat', async () => {
    const { repository, service } = setup();
    await service.handleRequest(request('pm_card_declined'));
    const results = await Promise.all([service.handleCancellation(cancellation()), service.handleCancellation(cancellation())]);
    expect(results.map((result) => result.kind).sort()).toEqual(['cancel-repeated', 'nothing-to-refund']);
    expect(repository.announcements.get(ORDER)).toBe(1);
  });

  it('a cancellation that loses to another answering the decline just before it: re-read, announced again', async () => {
    const { repository, service } = setup();
    await service.handleRequest(request('pm_card_declined'));
    const declined = repository.payments.get(ORDER)!;
    repository.beforeWrite = () =>
      repository.payments.set(ORDER, { ...declined, cancelledAt: NOW.toISOString(), correlationId: 'c' } as Payment);
    expect((await service.handleCancellation(cancellation())).kind).toBe('cancel-repeated');
    expect(repository.payments.get(ORDER)).toMatchObject({ cancelledAt: NOW.toISOString(), correlationId: 'c' });
    expect(repository.announcements.get(ORDER)).toBe(1);
  });

  it('a tombstone is announced (PaymentCancelled) by its own write', async () => {
    const { repository, service } = setup();
    const result = await service.handleCancellation(cancellation());
    expect(paymentEvent(result.payment)?.detailType).toBe('PaymentCancelled');
    expect(repository.announcements.get(ORDER)).toBeUndefined();
  });

  it('a repeated cancellation before any request: the tombstone stands and PaymentCancelled is announced again', async () => {
    const { repository, service, ledger } = setup();
    await service.handleCancellation(cancellation());
    const tombstone = repository.payments.get(ORDER);
    expect((await service.handleCancellation(cancellation())).kind).toBe('cancel-repeated');
    expect((await service.handleCancellation(cancellation())).kind).toBe('cancel-repeated');
    expect(repository.payments.get(ORDER)).toEqual(tombstone);
    expect(repository.announcements.get(ORDER)).toBe(2);
    expect(ledger()).toBeUndefined();
  });

  it('a tombstone that loses to another just before it: re-read, PaymentCancelled announced again', async () => {
    const { repository, service } = setup();
    repository.beforeWrite = () =>
      repository.payments.set(ORDER, {
        status: 'CANCELLED',
        orderId: ORDER,
        userId: 'user-1',
        cancelledAt: NOW.toISOString(),
        correlationId: 'c',
      });
    expect((await service.handleCancellation(cancellation())).kind).toBe('cancel-repeated');
    expect(repository.payments.get(ORDER)).toMatchObject({ status: 'CANCELLED', correlationId: 'c' });
    expect(repository.announcements.get(ORDER)).toBe(1);
  });

  it('during the charge (CHARGING): a retryable error; once the charge is recorded, its redelivery refunds it', async () => {
    const { repository, provider, service, ledger } = setup();
    const held = gate();
    provider.beforeCharge = () => held.opened;
    const charging = service.handleRequest(request());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(repository.payments.get(ORDER)?.status).toBe('CHARGING');

    const inFlight = await service.handleCancellation(cancellation()).catch((error: unknown) => error);
    expect(inFlight).toBeInstanceOf(ChargeInFlightError);
    expect((inFlight as ChargeInFlightError).retryable).toBe(true);

    held.open();
    expect((await charging).kind).toBe('charged');
    expect((await service.handleCancellation(cancellation())).kind).toBe('refunded');
    expect(ledger()).toMatchObject({ charges: 1, refunds: 1 });
  });

  it('a tombstone that loses to a claim written just before it: the charge is in flight, so a retryable error', async () => {
    const { repository, service } = setup();
    repository.beforeWrite = () => repository.payments.set(ORDER, { ...request(), status: 'CHARGING', requestedAt: NOW.toISOString() });
    await expect(service.handleCancellation(cancellation())).rejects.toBeInstanceOf(ChargeInFlightError);
  });

  it('the other order’s payment is untouched', async () => {
    const { repository, service } = setup();
    await service.handleRequest(request('pm_card_visa', 'other-order'));
    await service.handleCancellation(cancellation());
    expect(repository.payments.get('other-order')?.status).toBe('CHARGED');
  });
});
