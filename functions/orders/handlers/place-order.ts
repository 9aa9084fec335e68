import { badRequest } from '../../shared/http/errors.js';
import { httpHandler, requireSelf, userIdParam, json } from '../../shared/http/handler.js';
import * as z from '../../shared/schema.js';
import { MAX_QTY, MIN_QTY, PRODUCT_ID_PATTERN, placementView } from '../domain/order.js';
import { orderService } from '../wiring.js';

const QTY_MESSAGE = `must be an integer between ${MIN_QTY} and ${MAX_QTY}`;
/** Printable ASCII without spaces, as most clients send (UUIDs, ULIDs). */
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export const placeOrderBody = z.strictObject({
  productId: z.string().check(z.regex(PRODUCT_ID_PATTERN, 'must be 1-64 letters, digits, - or _')),
  qty: z.int(QTY_MESSAGE).check(z.gte(MIN_QTY, QTY_MESSAGE), z.lte(MAX_QTY, QTY_MESSAGE)),
  /** The original's clients send it; accepted and ignored: the price always comes from the catalog. */
  unitPrice: z.optional(z.number('must be a number (it is ignored)')),
});

export const createHandler = (orders = orderService) =>
  httpHandler({
    auth: 'required',
    path: z.strictObject({ userId: userIdParam }),
    body: placeOrderBody,
    maxBodyBytes: 4 * 1024,
    handle: async (request) => {
      const userId = requireSelf(request, request.path.userId);
      const idempotencyKey = request.headers['idempotency-key'];
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
        throw badRequest('Invalid header: Idempotency-Key: must be 1-255 printable ASCII characters without spaces', [
          {
            field: 'Idempotency-Key',
            message: 'must be 1-255 printable ASCII characters without spaces',
          },
        ]);
      }
      const order = await orders().place({
        userId,
        productId: request.body.productId,
        qty: request.body.qty,
        correlationId: request.correlationId,
        requestBody: request.body,
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      });
      return json(201, placementView(order), {
        location: `/users/${encodeURIComponent(userId)}/orders/${order.orderId}`,
      });
    },
  });

export const handler = createHandler();
