// Types for the plugin's helpers (the plugin itself is plain JS: Serverless loads it as is).
export function localstackStages(service: unknown): string[];
export function declaredImages(service: unknown): string[];
export function skipEcrCheck(serverless: unknown, stage: string): string;
export default class LocalstackRemoveWithoutEcr {
  constructor(serverless: unknown, options?: unknown, utils?: unknown);
}
