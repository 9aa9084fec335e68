// Local Serverless plugin: `serverless remove` on the stages serverless-localstack sends to LocalStack
// (custom.localstack.stages) skips the ECR check. Serverless 3.40's remove asks ECR DescribeRepositories for
// the service's image repository on every run (lib/plugins/aws/remove/index.js, `remove:remove`, through
// lib/plugins/aws/lib/check-if-ecr-repository-exists.js) and fails on any answer but RepositoryNotFound or
// AccessDenied. LocalStack community has no ECR, and neither edition serves a service left out of SERVICES:
// they answer 501 InternalFailure, and the remove fails (exit status 1, once its retries are spent, although
// it deleted the stack meanwhile: the check runs beside the removal and is awaited last). This project
// deploys no container images (no provider.ecr.images, no function `image`), so there is no repository to
// look for: on those stages the check answers "none" without a request. Elsewhere (AWS) nothing changes,
// and with images declared the check stays, so a repository is never left behind unseen.
const REMOVE_PLUGIN = 'AwsRemove';

/** The stages serverless-localstack points at LocalStack, as its own config names them. */
export function localstackStages(service) {
  const stages = service.custom?.localstack?.stages;
  return Array.isArray(stages) ? stages.map(String) : [];
}

/** What declares an image: provider.ecr.images, or a function with `image`. */
export function declaredImages(service) {
  const images = Object.keys(service.provider?.ecr?.images ?? {});
  const functions = Object.entries(service.functions ?? {})
    .filter(([, fn]) => fn?.image)
    .map(([name]) => `function ${name}`);
  return [...images, ...functions];
}

/**
 * Replaces the remove plugin's ECR check on a LocalStack stage; returns what it did, for the log. Throws when
 * Serverless no longer has the check where 3.40 had it: an upgrade must look at this again, not skip silently.
 */
export function skipEcrCheck(serverless, stage) {
  if (!localstackStages(serverless.service).includes(stage)) return `stage ${stage} is not a LocalStack stage: ECR check kept`;
  const images = declaredImages(serverless.service);
  if (images.length > 0) return `images declared (${images.join(', ')}): ECR check kept`;
  const remover = serverless.pluginManager.plugins.find((plugin) => plugin.constructor?.name === REMOVE_PLUGIN);
  if (typeof remover?.checkIfEcrRepositoryExists !== 'function') {
    throw new Error(
      `localstack-remove-without-ecr: Serverless ${serverless.version ?? ''} has no ${REMOVE_PLUGIN}.checkIfEcrRepositoryExists to replace (written for 3.40)`,
    );
  }
  remover.checkIfEcrRepositoryExists = async () => false;
  return `stage ${stage} is on LocalStack and deploys no images: ECR repository check skipped`;
}

export default class LocalstackRemoveWithoutEcr {
  constructor(serverless, _options, { log } = {}) {
    this.hooks = {
      // Runs before AwsRemove's own `remove:remove` hook, which calls the check first thing.
      'before:remove:remove': () => {
        const message = skipEcrCheck(serverless, serverless.getProvider('aws').getStage());
        log?.info?.(message);
      },
    };
  }
}
