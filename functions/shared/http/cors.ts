/**
 * The stage's CORS allow-list (param corsAllowedOrigins, in every function's CORS_ALLOWED_ORIGINS): exact
 * origins, comma-separated; empty: CORS off. Read by httpHandler on Lambda and by the local gateway
 * (local/gateway.ts); the packaging plugin (scripts/serverless-plugins/cors-allow-list.mjs) validates it.
 */
export function corsAllowedOrigins(value: string | undefined): ReadonlySet<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  );
}
