/**
 * The stages whose compiled CloudFormation the template checks read: every stage the project deploys,
 * in each authorizer mode it supports. tests/template/global-setup.ts packages them once per run.
 */
export interface PackagedStage {
  /** A name for test titles and the output folder. */
  name: string;
  stage: string;
  /** `--param key=value` flags beyond the test JWKS. */
  params: string[];
  authorizerMode: 'gateway' | 'function';
}

export const PACKAGED_STAGES: PackagedStage[] = [
  { name: 'local', stage: 'local', params: [], authorizerMode: 'gateway' },
  { name: 'local-function-auth', stage: 'local', params: ['authorizerMode=function'], authorizerMode: 'function' },
  { name: 'localstack', stage: 'localstack', params: [], authorizerMode: 'function' },
  { name: 'localstack-pro', stage: 'localstack', params: ['authorizerMode=gateway'], authorizerMode: 'gateway' },
  { name: 'dev', stage: 'dev', params: [], authorizerMode: 'gateway' },
];

export const packageFolderOf = (stage: PackagedStage) => `.serverless-template-${stage.name}`;
