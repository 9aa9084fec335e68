import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError, assertJavaAvailable, assertPortFree } from './processes.js';

describe('start-up checks', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('explains how to get Java when it is missing', () => {
    process.env.PATH = '/nonexistent';
    expect(() => assertJavaAvailable()).toThrow(StartupError);
    try {
      assertJavaAvailable();
    } catch (error) {
      expect((error as StartupError).message).toMatch(/Java was not found/);
      expect((error as StartupError).hint).toMatch(/openjdk-17/);
    }
  });

  it('names a busy port and what needed it', async () => {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(assertPortFree(port, 'SQS emulator')).rejects.toThrow(`Port ${port} (SQS emulator) is already in use.`);
    } finally {
      server.close();
    }
  });

  it('passes for a free port', async () => {
    await expect(assertPortFree(0, 'anything')).resolves.toBeUndefined();
  });
});
