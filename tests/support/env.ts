// What the suites know about the system under test, from the environment global-setup prepared.
import { describe } from 'vitest';

export const baseUrl = (): string => {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set (tests/global-setup.ts sets it when it starts the local stack)');
  return url.replace(/\/$/, '');
};

/** True when the suite runs against the local stack this test run started (emulators reachable). */
export const isLocalStack = (): boolean => process.env.LOCAL_STACK === '1';

/** `describe` for suites that need the local emulators; skipped against a remote E2E_BASE_URL. */
export const describeLocal = describe.skipIf(!isLocalStack());

export const stage = (): string => process.env.LOCAL_STAGE ?? 'local';

export function queueUrl(name: string): string {
  const urls = JSON.parse(process.env.LOCAL_QUEUE_URLS ?? '{}') as Record<string, string>;
  const url = urls[name];
  if (!url) throw new Error(`queue ${name} is not in the local stack (have: ${Object.keys(urls).join(', ')})`);
  return url;
}
