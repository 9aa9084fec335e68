// Types for scripts/known-skips.mjs (plain JS: scripts/test-summary.mjs runs under node without a build step).
export type Condition = 'remote' | 'no-chromium';

export interface KnownSkip {
  lane: string;
  file: string;
  test?: string;
  when?: Condition;
  reason: string;
}

export interface Skip {
  file: string;
  name: string;
}

/** The parts of a vitest JSON report the check reads. */
export interface VitestReport {
  testResults?: Array<{ name: string; assertionResults?: Array<{ status: string; fullName?: string; title?: string }> }>;
}

export const CONDITIONS: Record<Condition, (context: { env: NodeJS.ProcessEnv; exists: (path: string) => boolean }) => boolean>;
export const KNOWN_SKIPS: KnownSkip[];
export function skippedTests(report: VitestReport, root: string): Skip[];
export function allowingEntry(lane: string, skip: Skip, known: KnownSkip[], holds: (when: Condition) => boolean): KnownSkip | undefined;
export function checkSkips(
  reports: Record<string, VitestReport>,
  options?: { root?: string; env?: NodeJS.ProcessEnv; exists?: (path: string) => boolean; known?: KnownSkip[] },
): { allowed: Array<Skip & { lane: string; reason: string }>; unexpected: Array<Skip & { lane: string }> };
