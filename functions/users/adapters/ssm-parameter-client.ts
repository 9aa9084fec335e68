/**
 * SSM's GetParameter, the one SSM call the log-in and refresh functions make (the signing keys), without
 * @aws-sdk/client-ssm (adapters/aws-request.ts says why). The same shapes as the SDK's: `send(new
 * GetParameterCommand({ Name, WithDecryption }))` answers `{ Parameter: { Value } }`, and a missing parameter
 * throws ParameterNotFound. The key scripts, which write parameters too, keep the SDK client.
 */
import { AwsRequester, errorOf, type AwsRequestOptions } from './aws-request.js';

export interface GetParameterInput {
  Name: string;
  WithDecryption?: boolean;
}

export interface GetParameterOutput {
  Parameter?: { Name?: string; Type?: string; Value?: string; Version?: number };
}

export class GetParameterCommand {
  constructor(readonly input: GetParameterInput) {}
}

/** The parameter does not exist (SSM's error code ParameterNotFound, as the SDK names it). */
export class ParameterNotFound extends Error {
  override name = 'ParameterNotFound';
}

export class SsmParameterClient {
  private readonly requester: AwsRequester;

  /** Three attempts for a throttled or failed read, as the SDK's standard retries; each waits at most 5 s. */
  constructor(options: AwsRequestOptions = {}) {
    this.requester = new AwsRequester('ssm', { maxAttempts: 3, timeoutMs: 5_000, ...options });
  }

  async send(command: GetParameterCommand): Promise<GetParameterOutput> {
    const response = await this.requester.post(
      '/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
      JSON.stringify(command.input),
    );
    if (response.statusCode === 200) return JSON.parse(response.body.toString('utf8')) as GetParameterOutput;
    const error = errorOf(response, `SSM GetParameter ${command.input.Name}`);
    if (error.code === 'ParameterNotFound') throw new ParameterNotFound(error.message);
    throw error;
  }
}
