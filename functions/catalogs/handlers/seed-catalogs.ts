import { logger } from '../../shared/observability.js';
import { catalogService } from '../catalog-service-factory.js';

/** Invoked directly (not over HTTP) after a deploy or by `npm start`; safe to run any number of times. */
export const handler = async (): Promise<{ created: string[]; existing: string[] }> => {
  const result = await catalogService.seed();
  logger.info('catalog seeded', result);
  return result;
};
