import { httpHandler, json } from '../../shared/http/handler.js';

const startedAt = new Date().toISOString();

export const handler = httpHandler({
  handle: async () =>
    json(200, {
      status: 'UP',
      stage: process.env.STAGE ?? 'unknown',
      version: process.env.SERVICE_VERSION ?? 'dev',
      startedAt,
    }),
});
