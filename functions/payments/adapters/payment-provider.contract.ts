/**
 * What the payment simulator does, in memory and on DynamoDB (its ledger item in the payments table): the same
 * answers by test token, idempotent by order id, and a ledger that counts what it was asked and what it did.
 * Run on the in-memory simulator (unit) and the DynamoDB one (tests/integration/payments-repository.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../domain/payment-provider.js';
import type { SimulatorLedger } from './payment-simulator.js';

/** A simulator on the clock given, and a reader of its ledger. */
export type PaymentProviderFactory = (now: () => Date) => Promise<{
  provider: PaymentProvider;
  ledger: (orderId: string) => Promise<SimulatorLedger | undefined>;
}>;

const T1 = new Date('2026-03-01T10:01:00.520Z');
const T2 = new Date('2026-03-01T10:05:00.700Z');
const newOrderId = () => `order-${randomUUID()}`;

export function describePaymentProviderContract(name: string, simulator: PaymentProviderFactory) {
  describe(`payment simulator contract: ${name}`, () => {
    /** A simulator whose clock the case moves. */
    async function setup() {
      const clock = { now: T1 };
      return { clock, ...(await simulator(() => clock.now)) };
    }

    it('pm_card_visa is charged once: pay_<orderId> at the time of the first charge; a repeat returns it and takes nothing', async () => {
      const { clock, provider, ledger } = await setup();
      const orderId = newOrderId();
      const request = { orderId, amount: 4500, paymentMethod: 'pm_card_visa' } as const;
      const first = await provider.charge(request);
      expect(first).toEqual({ kind: 'charged', paymentId: `pay_${orderId}`, chargedAt: T1.toISOString() });
      clock.now = T2;
      expect(await provider.charge(request)).toEqual(first);
      expect(await ledger(orderId)).toEqual({
        orderId,
        amount: 4500,
        paymentMethod: 'pm_card_visa',
        outcome: 'charged',
        paymentId: `pay_${orderId}`,
        chargedAt: T1.toISOString(),
        chargeRequests: 2,
        charges: 1,
      });
    });

    it.each([
      ['pm_card_declined', 'CARD_DECLINED'],
      ['pm_card_insufficient_funds', 'INSUFFICIENT_FUNDS'],
    ] as const)('%s is declined (%s), every time, and nothing is taken', async (paymentMethod, reason) => {
      const { provider, ledger } = await setup();
      const orderId = newOrderId();
      expect(await provider.charge({ orderId, amount: 4500, paymentMethod })).toEqual({ kind: 'declined', reason });
      expect(await provider.charge({ orderId, amount: 4500, paymentMethod })).toEqual({ kind: 'declined', reason });
      expect(await ledger(orderId)).toMatchObject({ outcome: 'declined', reason, chargeRequests: 2, charges: 0 });
    });

    it('the same order id with another amount or token is refused, as a reused idempotency key', async () => {
      const { provider, ledger } = await setup();
      const orderId = newOrderId();
      await provider.charge({ orderId, amount: 4500, paymentMethod: 'pm_card_visa' });
      await expect(provider.charge({ orderId, amount: 9000, paymentMethod: 'pm_card_visa' })).rejects.toThrow(/other parameters/);
      await expect(provider.charge({ orderId, amount: 4500, paymentMethod: 'pm_card_declined' })).rejects.toThrow(/other parameters/);
      expect(await ledger(orderId)).toMatchObject({ charges: 1, amount: 4500 });
    });

    it('a charge is refunded once: a repeat returns the first refund’s time and returns nothing more', async () => {
      const { clock, provider, ledger } = await setup();
      const orderId = newOrderId();
      await provider.charge({ orderId, amount: 4500, paymentMethod: 'pm_card_visa' });
      clock.now = T2;
      const refund = { orderId, paymentId: `pay_${orderId}`, amount: 4500 };
      expect(await provider.refund(refund)).toEqual({ refundedAt: T2.toISOString() });
      clock.now = new Date('2026-03-01T11:00:00.000Z');
      expect(await provider.refund(refund)).toEqual({ refundedAt: T2.toISOString() });
      expect(await ledger(orderId)).toMatchObject({
        charges: 1,
        refunds: 1,
        refundRequests: 2,
        refundedAmount: 4500,
        refundedAt: T2.toISOString(),
      });
    });

    it('refuses to refund what was not charged: nothing, a decline, another payment id, more than the charge', async () => {
      const { provider, ledger } = await setup();
      const nothing = newOrderId();
      await expect(provider.refund({ orderId: nothing, paymentId: `pay_${nothing}`, amount: 1 })).rejects.toThrow(/to refund/);
      expect(await ledger(nothing)).toEqual({ orderId: nothing, refundRequests: 1 });

      const declined = newOrderId();
      await provider.charge({ orderId: declined, amount: 4500, paymentMethod: 'pm_card_declined' });
      await expect(provider.refund({ orderId: declined, paymentId: `pay_${declined}`, amount: 4500 })).rejects.toThrow(/to refund/);

      const charged = newOrderId();
      await provider.charge({ orderId: charged, amount: 4500, paymentMethod: 'pm_card_visa' });
      await expect(provider.refund({ orderId: charged, paymentId: 'pay_someone-else', amount: 4500 })).rejects.toThrow(/to refund/);
      await expect(provider.refund({ orderId: charged, paymentId: `pay_${charged}`, amount: 4501 })).rejects.toThrow(/to refund/);
      expect(await ledger(charged)).toMatchObject({ charges: 1, refundRequests: 2 });
      expect((await ledger(charged))?.refunds).toBeUndefined();
      // The refused refunds spent nothing: the right one still goes through.
      expect(await provider.refund({ orderId: charged, paymentId: `pay_${charged}`, amount: 4500 })).toEqual({
        refundedAt: T1.toISOString(),
      });
    });
  });
}
