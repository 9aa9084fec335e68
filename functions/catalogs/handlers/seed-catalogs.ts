import { lambdaHandler, logger } from '../../shared/observability.js';
import { catalogService } from '../wiring.js';

/** Invoked directly (not over HTTP) after a deploy or by `npm start`; safe to run any number of times. */
export const createHandler = (catalogs = catalogService) =>
  lambdaHandler(async (): Promise<{ created: string[]; existing: string[] }> => {
    const result = await catalogs().seed();
    logger.info('catalog seeded', result);
    return result;
  });

export const handler = createHandler();
