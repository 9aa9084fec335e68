/**
 * What every PaymentRepository does, whatever holds the data: run against the in-memory fake (unit) and the
 * DynamoDB adapter on DynamoDB Local (tests/integration/payments-repository.test.ts), so the fake the unit tests
 * stand on cannot drift from the adapter. Each write names the state it may come from; any other state, or no
 * record at all, leaves everything as it was.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PaymentRepository } from '../domain/payment-service.js';
import type { CancelledPayment, ChargeOutcome, ChargingPayment, Payment } from '../domain/payment.js';

/** A repository on storage where the orders of these cases have no records (empty, or a shared table). */
export type PaymentRepositoryFactory = () => Promise<PaymentRepository>;

const AT = '2026-03-01T10:01:00.520Z';
const claimOf = (orderId = `order-${randomUUID()}`): ChargingPayment => ({
  orderId,
  userId: 'user-1',
  amount: 4500,
  paymentMethod: 'pm_card_visa',
  requestedAt: '2026-03-01T10:01:00.410Z',
  correlationId: 'corr-request',
  status: 'CHARGING',
});
const tombstoneOf = (orderId = `order-${randomUUID()}`): CancelledPayment => ({
  status: 'CANCELLED',
  orderId,
  userId: 'user-1',
  cancelledAt: AT,
  correlationId: 'corr-cancel',
});
const chargedOutcome = (orderId: string): ChargeOutcome => ({ status: 'CHARGED', paymentId: `pay_${orderId}`, chargedAt: AT });
const refund = { refundedAt: '2026-03-01T10:05:00.700Z', correlationId: 'corr-cancel' };

export function describePaymentRepositoryContract(name: string, repository: PaymentRepositoryFactory) {
  describe(`PaymentRepository contract: ${name}`, () => {
    it('an order without a record has none', async () => {
      const repo = await repository();
      expect(await repo.get(`order-${randomUUID()}`)).toBeUndefined();
    });

    it('stores a claim; a second claim or a tombstone for the order stores nothing', async () => {
      const repo = await repository();
      const claim = claimOf();
      expect(await repo.create(claim)).toBe(true);
      expect(await repo.get(claim.orderId)).toEqual(claim);
      expect(await repo.create({ ...claim, amount: 1 })).toBe(false);
      expect(await repo.create(tombstoneOf(claim.orderId))).toBe(false);
      expect(await repo.get(claim.orderId)).toEqual(claim);
    });

    it('stores a tombstone; a later claim stores nothing', async () => {
      const repo = await repository();
      const tombstone = tombstoneOf();
      expect(await repo.create(tombstone)).toBe(true);
      expect(await repo.get(tombstone.orderId)).toEqual(tombstone);
      expect(await repo.create(claimOf(tombstone.orderId))).toBe(false);
      expect(await repo.get(tombstone.orderId)).toEqual(tombstone);
    });

    it('records a charge on a claim, once: the record as written', async () => {
      const repo = await repository();
      const claim = claimOf();
      await repo.create(claim);
      const charged: Payment = { ...claim, ...chargedOutcome(claim.orderId) } as Payment;
      expect(await repo.recordOutcome(claim.orderId, chargedOutcome(claim.orderId))).toEqual(charged);
      expect(await repo.get(claim.orderId)).toEqual(charged);
      // Decided: a second outcome (another delivery's, or a contradicting one) changes nothing.
      expect(await repo.recordOutcome(claim.orderId, { status: 'DECLINED', reason: 'CARD_DECLINED', declinedAt: AT })).toBeUndefined();
      expect(await repo.get(claim.orderId)).toEqual(charged);
    });

    it('records a decline on a claim', async () => {
      const repo = await repository();
      const claim = claimOf();
      await repo.create(claim);
      const outcome: ChargeOutcome = { status: 'DECLINED', reason: 'INSUFFICIENT_FUNDS', declinedAt: AT };
      expect(await repo.recordOutcome(claim.orderId, outcome)).toEqual({ ...claim, ...outcome });
      expect(await repo.get(claim.orderId)).toEqual({ ...claim, ...outcome });
    });

    it('records no outcome without a claim: on no record (none is made) and on a tombstone', async () => {
      const repo = await repository();
      const orderId = `order-${randomUUID()}`;
      expect(await repo.recordOutcome(orderId, chargedOutcome(orderId))).toBeUndefined();
      expect(await repo.get(orderId)).toBeUndefined();
      const tombstone = tombstoneOf();
      await repo.create(tombstone);
      expect(await repo.recordOutcome(tombstone.orderId, chargedOutcome(tombstone.orderId))).toBeUndefined();
      expect(await repo.get(tombstone.orderId)).toEqual(tombstone);
    });

    it('records a refund of a charge, once, with the cancellation’s correlation id', async () => {
      const repo = await repository();
      const claim = claimOf();
      await repo.create(claim);
      await repo.recordOutcome(claim.orderId, chargedOutcome(claim.orderId));
      const refunded = { ...claim, ...chargedOutcome(claim.orderId), status: 'REFUNDED', ...refund };
      expect(await repo.recordRefund(claim.orderId, refund)).toEqual(refunded);
      expect(await repo.get(claim.orderId)).toEqual(refunded);
      expect(await repo.recordRefund(claim.orderId, { ...refund, refundedAt: '2026-03-01T11:00:00.000Z' })).toBeUndefined();
      expect(await repo.get(claim.orderId)).toEqual(refunded);
    });

    it('records no refund of anything but a charge: a claim, a decline, a tombstone, no record', async () => {
      const repo = await repository();
      const claim = claimOf();
      await repo.create(claim);
      expect(await repo.recordRefund(claim.orderId, refund)).toBeUndefined();
      expect(await repo.get(claim.orderId)).toEqual(claim);

      const declined = claimOf();
      await repo.create(declined);
      await repo.recordOutcome(declined.orderId, { status: 'DECLINED', reason: 'CARD_DECLINED', declinedAt: AT });
      expect(await repo.recordRefund(declined.orderId, refund)).toBeUndefined();
      expect((await repo.get(declined.orderId))?.status).toBe('DECLINED');

      const tombstone = tombstoneOf();
      await repo.create(tombstone);
      expect(await repo.recordRefund(tombstone.orderId, refund)).toBeUndefined();
      expect(await repo.get(tombstone.orderId)).toEqual(tombstone);

      const orderId = `order-${randomUUID()}`;
      expect(await repo.recordRefund(orderId, refund)).toBeUndefined();
      expect(await repo.get(orderId)).toBeUndefined();
    });

    it('records the cancellation on a decline, once, with the cancellation’s correlation id', async () => {
      const repo = await repository();
      const claim = claimOf();
      await repo.create(claim);
      const outcome: ChargeOutcome = { status: 'DECLINED', reason: 'CARD_DECLINED', declinedAt: AT };
      await repo.recordOutcome(claim.orderId, outcome);
      const cancellation = { cancelledAt: '2026-03-01T10:05:00.100Z', correlationId: 'corr-cancel' };
      const answered = { ...claim, ...outcome, ...cancellation };
      expect(await repo.recordDeclineCancelled(claim.orderId, cancellation)).toEqual(answered);
      expect(await repo.get(claim.orderId)).toEqual(answered);
      // Answered: a second cancellation's write changes nothing.
      expect(await repo.recordDeclineCancelled(claim.orderId, { cancelledAt: AT, correlationId: 'corr-other' })).toBeUndefined();
      expect(await repo.get(claim.orderId)).toEqual(answered);
    });

    it('records no cancellation on anything but a decline: a claim, a charge, a tombstone, no record', async () => {
      const repo = await repository();
      const cancellation = { cancelledAt: AT, correlationId: 'corr-cancel' };
      const claim = claimOf();
      await repo.create(claim);
      expect(await repo.recordDeclineCancelled(claim.orderId, cancellation)).toBeUndefined();
      expect(await repo.get(claim.orderId)).toEqual(claim);
      await repo.recordOutcome(claim.orderId, chargedOutcome(claim.orderId));
      expect(await repo.recordDeclineCancelled(claim.orderId, cancellation)).toBeUndefined();
      expect((await repo.get(claim.orderId))?.status).toBe('CHARGED');
      const tombstone = tombstoneOf();
      await repo.create(tombstone);
      expect(await repo.recordDeclineCancelled(tombstone.orderId, cancellation)).toBeUndefined();
      expect(await repo.get(tombstone.orderId)).toEqual(tombstone);
      const orderId = `order-${randomUUID()}`;
      expect(await repo.recordDeclineCancelled(orderId, cancellation)).toBeUndefined();
      expect(await repo.get(orderId)).toBeUndefined();
    });

    it('re-announces a record only in the state named, leaving the record as it is', async () => {
      const repo = await repository();
      const claim = claimOf();
      await repo.create(claim);
      await repo.recordOutcome(claim.orderId, chargedOutcome(claim.orderId));
      const charged = await repo.get(claim.orderId);
      expect(await repo.reannounce(claim.orderId, 'CHARGED', AT)).toBe(true);
      expect(await repo.reannounce(claim.orderId, 'CHARGED', AT)).toBe(true);
      expect(await repo.get(claim.orderId)).toEqual(charged);
      expect(await repo.reannounce(claim.orderId, 'REFUNDED', AT)).toBe(false);
      const tombstone = tombstoneOf();
      await repo.create(tombstone);
      expect(await repo.reannounce(tombstone.orderId, 'CANCELLED', AT)).toBe(true);
      expect(await repo.get(tombstone.orderId)).toEqual(tombstone);
      const orderId = `order-${randomUUID()}`;
      expect(await repo.reannounce(orderId, 'CHARGED', AT)).toBe(false);
      expect(await repo.get(orderId)).toBeUndefined();
    });
  });
}
