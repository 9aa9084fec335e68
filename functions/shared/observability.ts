// One Logger, Metrics and Tracer per function instance (module scope, reused across invocations).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ logLevel: (process.env.LOG_LEVEL ?? 'INFO') as 'INFO' });
export const metrics = new Metrics({ defaultDimensions: { stage: process.env.STAGE ?? 'unknown' } });
export const tracer = new Tracer();
