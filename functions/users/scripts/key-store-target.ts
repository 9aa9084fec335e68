/**
 * Which key store a key script works on, from its command line:
 *   --stage <stage> [--region <region>] [--service ecommerce]   SSM, parameters named as in serverless.yml:
 *        /<service>/<stage>/jwt/signing-keys (SecureString) and /<service>/<stage>/jwt/public-keys (String)
 *   --source file:<path>                                        a local key file (the local stage)
 * LocalStack: set AWS_ENDPOINT_URL_SSM (or pass --endpoint-url). Credentials: the usual AWS chain.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SSMClient } from '@aws-sdk/client-ssm';
import { FileKeyStore } from '../adapters/file-key-store.js';
import { parseKeySource, type KeySetStore } from '../adapters/key-sources.js';
import { SsmKeyStore } from '../adapters/ssm-key-store.js';

/** Mirrors the jwtKeysParameter / jwtPublicKeysParameter params in serverless.yml. */
export const signingKeysParameterName = (service: string, stage: string) => `/${service}/${stage}/jwt/signing-keys`;
export const publicKeysParameterName = (service: string, stage: string) => `/${service}/${stage}/jwt/public-keys`;

export const TARGET_OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  service: { type: 'string', default: 'ecommerce' },
  source: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'kms-key-id': { type: 'string' },
  'signing-parameter': { type: 'string' },
  'public-parameter': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

type TargetValues = { [K in keyof typeof TARGET_OPTIONS]?: string };

export function storeFromOptions(values: TargetValues): KeySetStore & {
  syncPublic?: SsmKeyStore['syncPublic'];
  readPublic?: SsmKeyStore['readPublic'];
} {
  if (values.source) {
    const source = parseKeySource(values.source);
    if (source.kind === 'file') return new FileKeyStore(source.path);
    throw new Error('--source ssm:... is not supported here: use --stage (and --region) so both parameters are known');
  }
  if (!values.stage) throw new Error('give --stage <stage> (SSM) or --source file:<path>');
  if (!/^[A-Za-z0-9-]+$/.test(values.stage)) throw new Error(`not a stage name: ${values.stage}`);
  const service = values.service ?? 'ecommerce';
  const ssm = new SSMClient({
    ...(values.region ? { region: values.region } : {}),
    ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
  });
  return new SsmKeyStore(
    ssm,
    values['signing-parameter'] ?? signingKeysParameterName(service, values.stage),
    values['public-parameter'] ?? publicKeysParameterName(service, values.stage),
    values['kms-key-id'],
  );
}

export function parseTargetArgs<T extends ParseArgsConfig['options']>(argv: string[], extra: T, allowPositionals = false) {
  return parseArgs({
    args: argv,
    options: { ...TARGET_OPTIONS, ...extra },
    allowPositionals,
    strict: true,
  });
}
