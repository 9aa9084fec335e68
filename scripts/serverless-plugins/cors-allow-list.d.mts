// Types for the plugin's helpers (the plugin itself is plain JS: Serverless loads it as is).
export const CORS_ALLOWED_HEADERS: string;
export function allowedOrigins(value: unknown): string[];
export function addCors(resources: Record<string, unknown>, origins: string[], log?: (message: string) => void): void;
export default class CorsAllowList {
  constructor(serverless: unknown, options?: unknown, utils?: unknown);
}
