// Small middy middlewares the contract needs and no maintained package provides as-is.
import { randomUUID } from 'node:crypto';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { HttpError } from './errors.js';
import { json } from './response.js';
import { logger, metrics } from '../observability.js';

type HttpMiddleware = middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes `x-correlation-id` when it is well-formed (else makes one), logs with it, echoes it back. */
export type CorrelatedContext = Context & { correlationId?: string };

export function correlationId(): HttpMiddleware {
  const echo: HttpMiddleware['after'] = (request) => {
    const current = (request.context as CorrelatedContext).correlationId;
    if (request.response && current) {
      request.response.headers = {
        ...request.response.headers,
        'x-correlation-id': current,
      };
    }
  };
  return {
    before: (request) => {
      const given = request.event.headers?.['x-correlation-id'];
      const current = given && SAFE_CORRELATION_ID.test(given) ? given : randomUUID();
      (request.context as CorrelatedContext).correlationId = current;
      logger.appendKeys({ correlationId: current });
    },
    after: echo,
    onError: echo,
  };
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Parses a JSON request body. Written here rather than @middy/http-json-body-parser because the
 * contract needs 400 (not 415) for malformed JSON and 413 for an oversized body.
 */
export function jsonBody(options: { maxBytes: number }): HttpMiddleware {
  return {
    before: (request) => {
      const { headers, body, isBase64Encoded } = request.event;
      const contentType = headers?.['content-type'] ?? '';
      if (body === null || body === undefined || body === '' || !JSON_MEDIA_TYPE.test(contentType)) {
        throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON (Content-Type: application/json)');
      }
      const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
      if (Buffer.byteLength(text, 'utf8') > options.maxBytes) {
        throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${options.maxBytes} bytes`);
      }
      try {
        (request.event as { body: unknown }).body = JSON.parse(text);
      } catch {
        throw new HttpError(400, 'MALFORMED_JSON', 'Request body is not valid JSON');
      }
    },
  };
}

/** Counts responses by status class (http2xx, http4xx, http5xx): what the dashboard and alarms read. */
export function responseMetrics(): HttpMiddleware {
  const count: HttpMiddleware['after'] = (request) => {
    const status = request.response?.statusCode ?? 500;
    metrics.addMetric(`http${Math.floor(status / 100)}xx`, 'Count', 1);
  };
  return { after: count, onError: count };
}

/**
 * Maps every error to the contract's `{"message","code"}`. Client errors keep their status;
 * anything unexpected becomes a bare 500 (logged with its stack, never returned).
 */
export function errorResponse(): HttpMiddleware {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof HttpError) {
        if (error.statusCode >= 500) logger.error('request failed', { error });
        else
          logger.info('request rejected', {
            statusCode: error.statusCode,
            code: error.code,
          });
        const body = error.details
          ? { message: error.message, code: error.code, details: error.details }
          : { message: error.message, code: error.code };
        request.response = json(error.statusCode, body);
        return;
      }
      logger.error('unhandled error', { error: error ?? undefined });
      request.response = json(500, {
        message: 'Internal server error',
        code: 'INTERNAL_ERROR',
      });
    },
  };
}
