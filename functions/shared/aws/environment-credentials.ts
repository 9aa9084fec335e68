/**
 * Stands in for `@aws-sdk/credential-provider-node` in the bundles (serverless.yml custom.esbuild.alias):
 * Lambda (and LocalStack's Lambda, and serverless-offline locally) put the function's credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the environment is the only source
 * a function ever uses. Scripts and tests run unbundled and keep the SDK's full default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
