// Types for the plugin's helpers (the plugin itself is plain JS: Serverless loads it as is).
export const ENVIRONMENT_LIMIT_BYTES: number;
export function longestValue(value: unknown, resources?: Record<string, unknown>): string;
export function environmentBytes(variables: Record<string, unknown> | undefined, resources?: Record<string, unknown>): number;
export function oversizedEnvironments(
  template: unknown,
  limit?: number,
): Array<{ function: string; bytes: number; largest: Array<{ key: string; bytes: number }> }>;
export default class LambdaEnvironmentSize {
  constructor(serverless: unknown, options?: unknown, utils?: unknown);
  hooks: Record<string, () => void>;
}
