/** Reads a required environment variable; a missing one is a deployment bug, so fail loudly at init. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}

/** A required whole number >= 1 from the environment (a limit, a lifetime in seconds). */
export function positiveIntegerEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(requiredEnv(name, env));
  if (!Number.isInteger(value) || value < 1) throw new Error(`Environment variable ${name} must be a whole number >= 1`);
  return value;
}
