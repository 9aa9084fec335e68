/**
 * Lambda's Invoke (RequestResponse), the one Lambda call GET /users/{userId} makes (the orders context's
 * query function), without @aws-sdk/client-lambda (adapters/aws-request.ts says why). The same shapes as
 * the SDK's: `send(new InvokeCommand({ FunctionName, Payload }))` answers `{ StatusCode, FunctionError?,
 * Payload }`; an error of the service itself (not of the function) throws AwsServiceError. No retries:
 * the caller's circuit breaker counts failures.
 */
import { AwsRequester, errorOf, type AwsRequestOptions } from './aws-request.js';

export interface InvokeInput {
  FunctionName: string;
  Payload: string | Uint8Array;
}

export interface InvokeOutput {
  StatusCode: number;
  /** Set when the function failed (`Unhandled`, or the error type): the payload then describes the error. */
  FunctionError?: string;
  Payload: Uint8Array;
}

export class InvokeCommand {
  constructor(readonly input: InvokeInput) {}
}

export class LambdaInvokeClient {
  private readonly requester: AwsRequester;

  constructor(options: AwsRequestOptions = {}) {
    this.requester = new AwsRequester('lambda', { maxAttempts: 1, ...options });
  }

  async send(command: InvokeCommand): Promise<InvokeOutput> {
    const { FunctionName, Payload } = command.input;
    const response = await this.requester.post(
      `/2015-03-31/functions/${encodeURIComponent(FunctionName)}/invocations`,
      { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      Payload,
    );
    if (response.statusCode < 200 || response.statusCode >= 300) throw errorOf(response, `Lambda Invoke ${FunctionName}`);
    const functionError = response.headers['x-amz-function-error'];
    return {
      StatusCode: response.statusCode,
      ...(typeof functionError === 'string' && functionError !== '' ? { FunctionError: functionError } : {}),
      Payload: response.body,
    };
  }
}
