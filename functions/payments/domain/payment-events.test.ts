// The payments producer held to the committed examples (functions/shared/events/examples/Payment*.json): the record
// the example describes builds exactly that event, eventId `<orderId>:<Type>` and the request's correlation id.
import { describe, expect, it } from 'vitest';
import { exampleEvent } from '../../shared/events/examples/examples.js';
import { paymentEvent } from './payment-events.js';
import type { ChargedPayment, ChargingPayment, Payment } from './payment.js';

const request: ChargingPayment = {
  orderId: '01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  userId: 'user-example-1',
  amount: 4500,
  paymentMethod: 'pm_card_visa',
  requestedAt: '2026-03-01T10:01:00.410Z',
  correlationId: 'corr-example-1',
  status: 'CHARGING',
};
const charged: ChargedPayment = {
  ...request,
  status: 'CHARGED',
  paymentId: 'pay_01JZ8R3M5QK7V2W9X4Y6Z8A0BC',
  chargedAt: '2026-03-01T10:01:00.520Z',
};

describe('paymentEvent', () => {
  it('CHARGED announces PaymentSucceeded, as the example', () => {
    expect(paymentEvent(charged)).toEqual(exampleEvent('PaymentSucceeded'));
  });

  it('DECLINED announces PaymentDeclined, as the example', () => {
    const declined: Payment = {
      ...request,
      paymentMethod: 'pm_card_declined',
      status: 'DECLINED',
      reason: 'CARD_DECLINED',
      declinedAt: '2026-03-01T10:01:00.520Z',
    };
    expect(paymentEvent(declined)).toEqual(exampleEvent('PaymentDeclined'));
  });

  it('REFUNDED announces PaymentRefunded, as the example', () => {
    expect(paymentEvent({ ...charged, status: 'REFUNDED', refundedAt: '2026-03-01T10:05:00.700Z' })).toEqual(
      exampleEvent('PaymentRefunded'),
    );
  });

  it('a tombstone (CANCELLED) announces PaymentCancelled, as the example: the order’s cancellation time and correlation id', () => {
    const tombstone: Payment = {
      status: 'CANCELLED',
      orderId: charged.orderId,
      userId: 'user-example-1',
      cancelledAt: '2026-03-01T10:00:40.300Z',
      correlationId: 'corr-example-1',
    };
    expect(paymentEvent(tombstone)).toEqual(exampleEvent('PaymentCancelled'));
  });

  it('a decline that carries the order’s cancellation announces PaymentCancelled, as the example, no longer PaymentDeclined', () => {
    const answered: Payment = {
      ...request,
      paymentMethod: 'pm_card_declined',
      status: 'DECLINED',
      reason: 'CARD_DECLINED',
      declinedAt: '2026-03-01T10:00:30.000Z',
      cancelledAt: '2026-03-01T10:00:40.300Z',
    };
    expect(paymentEvent(answered)).toEqual(exampleEvent('PaymentCancelled'));
  });

  it('a claim (CHARGING) announces nothing', () => {
    expect(paymentEvent(request)).toBeUndefined();
  });

  it('a record the contract refuses (a negative amount) is not announced: the build throws', () => {
    expect(() => paymentEvent({ ...charged, amount: -1 })).toThrow();
  });
});
