/**
 * The answer each service gives a caller its policies do not allow, as AWS gives it, so the SDK in a function raises
 * the same error locally as on AWS:
 *
 * - DynamoDB (JSON 1.0): 400, `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: <session
 *   ARN> is not authorized to perform: dynamodb:Scan on resource: <table ARN> because no identity-based policy allows
 *   the dynamodb:Scan action"}`. The message as in https://github.com/aws-samples/aws-serverless-workshop-innovator-island/issues/97,
 *   the body's keys as in https://github.com/sebdah/dynamic-dynamodb/issues/321.
 * - SQS, JSON protocol: 403, `x-amzn-query-error: AccessDenied;Sender` (the SDK takes the error code `AccessDenied`
 *   from it; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html),
 *   body `{"__type":"com.amazon.coral.service#AccessDeniedException","Message":...}` with the action in lower case
 *   (`sqs:sendmessage`, as in https://github.com/aws/serverless-application-model/issues/3633). Query protocol: 403
 *   and the XML ErrorResponse (Type Sender, Code AccessDenied).
 * - EventBridge (JSON 1.1): 400, `{"__type":"AccessDeniedException","Message":...}`.
 * - Lambda (REST JSON): 403, `x-amzn-ErrorType: AccessDeniedException`, body `{"Message":...}`.
 *
 * An explicit deny ends the message "with an explicit deny in an identity-based policy" instead
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). The principal is the function's
 * role session: `arn:aws:sts::<account>:assumed-role/<role name>/<function name>`.
 *
 * Two refusals are the local stack's own and say so in the same shape: a caller that is neither the stack nor a
 * function of the template (AWS would answer UnrecognizedClientException or MissingAuthenticationToken for a key it
 * does not know), and a request the local check cannot authorize (requests.ts UnsupportedRequestError).
 */
import { randomUUID } from 'node:crypto';
import type { Service } from './requests.js';

export type DenialReason =
  | { kind: 'policy'; principalArn: string; action: string; resource: string; decision: 'ExplicitDeny' | 'ImplicitDeny' }
  | { kind: 'unknown-caller'; accessKeyId: string | undefined }
  | { kind: 'unsupported-request'; principalArn: string; reason: string };

export interface DenialResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface DenialOptions {
  /** SQS only: the protocol the request came in (X-Amz-Target: json; form-encoded Action: query). Default json. */
  protocol?: 'json' | 'query';
  requestId?: string;
}

export function denialMessage(service: Service, reason: DenialReason): string {
  switch (reason.kind) {
    case 'policy': {
      // SQS names its actions in lower case in this message.
      const action = service === 'sqs' ? reason.action.toLowerCase() : reason.action;
      const why =
        reason.decision === 'ExplicitDeny'
          ? 'with an explicit deny in an identity-based policy'
          : `because no identity-based policy allows the ${action} action`;
      return `User: ${reason.principalArn} is not authorized to perform: ${action} on resource: ${reason.resource} ${why}`;
    }
    case 'unknown-caller': {
      const caller = reason.accessKeyId === undefined ? 'anonymous' : reason.accessKeyId;
      const what =
        reason.accessKeyId === undefined
          ? 'the request is not signed (AWS Signature Version 4)'
          : `the access key id ${JSON.stringify(reason.accessKeyId)} is neither the local stack's own ("local") nor the name of a function of the template`;
      return `User: ${caller} is not authorized: ${what}; the local stack signs each function's calls with its function name as the access key id`;
    }
    case 'unsupported-request':
      return `User: ${reason.principalArn} is not authorized: the local IAM check cannot authorize ${reason.reason}`;
    default:
      return 'Access denied';
  }
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function denialResponse(service: Service, reason: DenialReason, options: DenialOptions = {}): DenialResponse {
  const requestId = options.requestId ?? randomUUID();
  const message = denialMessage(service, reason);
  switch (service) {
    case 'dynamodb':
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message }),
      };
    case 'sqs':
      if (options.protocol === 'query') {
        return {
          status: 403,
          headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
          body:
            '<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>' +
            `<Code>AccessDenied</Code><Message>${xmlEscape(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        };
      }
      return {
        status: 403,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': 'AccessDenied;Sender',
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message }),
      };
    case 'events':
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: 'AccessDeniedException', Message: message }),
      };
    case 'lambda':
      return {
        status: 403,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ Message: message }),
      };
    default:
      throw new Error(`No denial shape for the service ${String(service)}`);
  }
}
