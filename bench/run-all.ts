// `npm run bench`: every benchmark, one after the other, figures printed (nothing asserted).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { measureBundles, printBundles } from './bundles.js';
import { measureGateway, printGateway } from './gateway.js';

printBundles(await measureBundles({ stage: 'dev' }));
printGateway(await measureGateway(2000, 4), 4);

// The context benchmarks are scripts of their own, each starting its own local stack.
for (const script of ['startup.ts', 'idle.ts', 'users-auth.ts', 'saga.ts']) {
  console.log(`\n== bench/${script}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, script)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
