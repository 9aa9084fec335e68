import { requiredEnv } from '../../shared/config.js';
import { httpHandler, json } from '../../shared/http/handler.js';

// Stage config (serverless.yml params), as the original's Config Server served `greeting.message`.
const message = requiredEnv('WELCOME_MESSAGE');

export const handler = httpHandler({
  handle: async () => json(200, { message }),
});
