// Local Serverless plugin: when the local stack enforces IAM (it sets LOCAL_IAM_IDENTITIES=1), each function
// under serverless offline signs its AWS calls as itself: access key id = its deployed name
// (`ecommerce-local-signUp`), so the local endpoints can evaluate that function's role from the compiled
// template (local/iam/). Offline only: the packaged template is not touched (Lambda reserves these variables;
// on AWS each function's role comes with its own temporary credentials).
import process from 'node:process';

export default class OfflineFunctionIdentities {
  constructor(serverless) {
    this.hooks = {
      'before:offline:start:init': () => {
        if (process.env.LOCAL_IAM_IDENTITIES !== '1') return;
        for (const [key, fn] of Object.entries(serverless.service.functions ?? {})) {
          const name = fn.name ?? `${serverless.service.service}-${serverless.service.provider.stage}-${key}`;
          fn.environment = { ...fn.environment, AWS_ACCESS_KEY_ID: name, AWS_SECRET_ACCESS_KEY: 'local' };
        }
      },
    };
  }
}
