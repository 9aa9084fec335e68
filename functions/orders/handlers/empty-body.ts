/**
 * For the action routes (cancel, ship) that take no body: none, or `{}`, is accepted; anything else is a 400,
 * so a client that thinks it sends options learns it does not. A middy middleware added after httpHandler's
 * own, so the token and role checks run first and errors get the contract's shape.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { badRequest } from '../../shared/http/errors.js';
import { bodyText } from '../../shared/http/handler.js';

export const EMPTY_BODY_MESSAGE = 'must be empty or {}';

export function emptyBodyOnly(): middy.MiddlewareObj<APIGatewayProxyEvent> {
  return {
    before: ({ event }) => {
      const raw: unknown = event.body;
      if (raw === null || raw === undefined || raw === '') return;
      const text = bodyText(raw, event.isBase64Encoded);
      if (text.trim() === '') return;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0) return;
      throw badRequest(`Invalid request body: ${EMPTY_BODY_MESSAGE}`, [{ field: 'body', message: EMPTY_BODY_MESSAGE }]);
    },
  };
}
