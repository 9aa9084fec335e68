// Local Serverless plugin: lets `serverless package|deploy` exit on every stage, after success or failure.
// serverless-esbuild bundles through esbuild contexts, whose child process keeps Node alive until they
// are disposed; it disposes them in its after:package:createDeploymentArtifacts hook. On the localstack
// stage serverless-localstack 1.4.0 swaps that hook for one that only runs cleanup() (its src/index.js,
// skipIfMountLambda), so the contexts stay open and the process never exits (localstack/serverless-localstack#248,
// floydspace/serverless-esbuild#527). A failed build or `invoke local` leaves contexts open on every stage
// (floydspace/serverless-esbuild#532). `finalize` and `error` run once the command is over (a running
// `serverless offline` is not over), so nothing rebuilds after this.
import { createRequire } from 'node:module';

export default class EsbuildDispose {
  constructor(serverless, _options, { log } = {}) {
    const done = async () => {
      const esbuildPlugin = serverless.pluginManager.plugins.find((p) => p.constructor.name === 'EsbuildServerlessPlugin');
      if (!esbuildPlugin) return;
      await esbuildPlugin.disposeContexts();
      // What dispose cannot reach (a context whose first build failed): stop the esbuild service itself.
      const esbuild = createRequire(createRequire(import.meta.url).resolve('serverless-esbuild'))('esbuild');
      await esbuild.stop();
      log?.debug?.('esbuild contexts disposed, esbuild service stopped');
    };
    this.hooks = { finalize: done, error: done };
  }
}
