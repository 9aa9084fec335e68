/** The orders context's model. No AWS imports here: repositories are ports, adapters implement them. */

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type RejectionReason = 'OUT_OF_STOCK' | 'UNKNOWN_PRODUCT';

/** Contract bounds (functions/orders/README.md, "Routes"): qty is a JSON integer 1-1000. */
export const MIN_QTY = 1;
export const MAX_QTY = 1000;
/** Same shape the catalogs context accepts for a product id. */
export const PRODUCT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface Order {
  orderId: string;
  userId: string;
  productId: string;
  qty: number;
  status: OrderStatus;
  createdAt: string;
  /** Set when CONFIRMED: the catalog's price of one unit, and qty x unitPrice. */
  unitPrice?: number;
  totalPrice?: number;
  /** Set when REJECTED. */
  reason?: RejectionReason;
  settledAt?: string;
  /** The correlation id of the request that placed the order; carried by every event of its saga. */
  correlationId: string;
}

/** How the catalog answered an order: the stock was reserved at a price, or it was not. */
export type StockOutcome = { kind: 'RESERVED'; unitPrice: number } | { kind: 'REJECTED'; reason: RejectionReason };

/** The order as the API shows it (functions/orders/README.md, "Routes"): internal bookkeeping stays out. */
export type OrderView = Omit<Order, 'settledAt' | 'correlationId'>;

export function orderView(order: Order): OrderView {
  const { orderId, userId, productId, qty, status, createdAt } = order;
  const view: OrderView = {
    orderId,
    userId,
    productId,
    qty,
    status,
    createdAt,
  };
  if (status === 'CONFIRMED') {
    view.unitPrice = order.unitPrice;
    view.totalPrice = order.totalPrice;
  }
  if (status === 'REJECTED') view.reason = order.reason;
  return view;
}

/** The 201 body of a placement; a repeat with the same Idempotency-Key gets exactly this again. */
export function placementView(order: Order): OrderView {
  const { orderId, userId, productId, qty, createdAt } = order;
  return { orderId, userId, productId, qty, status: 'PENDING', createdAt };
}

/** What the catalog's answer sets on a PENDING order. Money is in whole smallest units, so the total is exact. */
export type Settlement =
  | {
      status: 'CONFIRMED';
      unitPrice: number;
      totalPrice: number;
      settledAt: string;
    }
  | { status: 'REJECTED'; reason: RejectionReason; settledAt: string };

export function settlementOf(qty: number, outcome: StockOutcome, settledAt: string): Settlement {
  return outcome.kind === 'RESERVED'
    ? {
        status: 'CONFIRMED',
        unitPrice: outcome.unitPrice,
        totalPrice: qty * outcome.unitPrice,
        settledAt,
      }
    : { status: 'REJECTED', reason: outcome.reason, settledAt };
}

/** Whether an already settled order records this same outcome (a duplicate) or another one. */
export function sameOutcome(order: Order, outcome: StockOutcome): boolean {
  return outcome.kind === 'RESERVED'
    ? order.status === 'CONFIRMED' && order.unitPrice === outcome.unitPrice
    : order.status === 'REJECTED' && order.reason === outcome.reason;
}
