// Local Serverless plugin: fails the packaging when a function's environment variables would not fit Lambda's
// 4 KB limit, instead of a deploy that fails half-way (or a key rotation that cannot be deployed). The public
// JWKS (JWT_PUBLIC_JWKS) is the big one: every verifier carries it beside its other variables, and it grows
// with each key a rotation publishes (functions/users/auth/key-set.ts keeps at most current, next and 2 previous).
//
// What is measured is what Lambda measures: the variables as one JSON object, `{"KEY":"value",...}`, in UTF-8
// bytes (its error for an oversized set quotes that string as "String measured"), which is a little more than
// the keys and values alone: quotes, colons, commas and the escaping of the values' own quotes count too.
// Values CloudFormation resolves at deploy time (Ref, Fn::GetAtt, Fn::Sub, Fn::Join) count at the longest
// they can resolve to, so a template that passes here fits on AWS.
//
// Runs after Serverless has compiled the functions (provider.environment merged into each), on
// `before:package:finalize`, for every stage; the local stage's serverless-offline never sees an oversized set.

import { Buffer } from 'node:buffer';

/** Lambda's limit on a function's environment variables, all together. */
export const ENVIRONMENT_LIMIT_BYTES = 4096;

/** Upper bounds of what a pseudo parameter resolves to. */
const PSEUDO_PARAMETERS = {
  'AWS::Region': 'xx-xxxxxxxxx-9'.length, // ap-southeast-4, the longest region names
  'AWS::AccountId': 12,
  'AWS::Partition': 'aws-iso-b'.length + 1, // aws-us-gov, aws-iso-b, aws-cn
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
  'AWS::StackName': 128,
  'AWS::StackId': 180,
  'AWS::NoValue': 0,
};
/** An ARN (or a queue's URL) beyond the resource's name: `arn:<partition>:<service>:<region>:<account>:<type>/...`. */
const ARN_OVERHEAD_BYTES = 'arn:aws-us-gov:dynamodb:xx-xxxxxxxxx-9:123456789012:table//stream/2026-01-01T00:00:00.000'.length;
/** What anything else (an attribute that is not an ARN, a function this does not read) counts: an ARN's upper bound. */
const UNKNOWN_BYTES = 2048;
/** Resource types whose Ref is a URL or an ARN rather than the name. */
const REF_IS_ADDRESS = new Set(['AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::IAM::ManagedPolicy', 'AWS::Events::Rule']);

const NAME_PROPERTIES = ['FunctionName', 'TableName', 'QueueName', 'TopicName', 'BucketName', 'RoleName', 'Name'];

const literalNameOf = (resource) => {
  for (const key of NAME_PROPERTIES) {
    if (typeof resource?.Properties?.[key] === 'string') return resource.Properties[key];
  }
  return undefined;
};

/** A resource's physical name at its longest: its literal name, else CloudFormation's `<stack name>-<logical id>-<suffix>`. */
const nameBytes = (logicalId, resources) => {
  const name = literalNameOf(resources[logicalId]);
  return name === undefined ? PSEUDO_PARAMETERS['AWS::StackName'] + 1 + logicalId.length + 14 : Buffer.byteLength(name);
};

/** The longest `${name}` can resolve to inside an Fn::Sub (a pseudo parameter, a resource, `Resource.Attribute`). */
function substitutionBytes(name, resources) {
  if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name];
  const [logicalId, attribute] = name.split('.');
  return attribute === undefined ? refBytes(logicalId, resources) : attributeBytes(logicalId, attribute, resources);
}

function refBytes(logicalId, resources) {
  if (logicalId in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[logicalId];
  if (!(logicalId in resources)) return UNKNOWN_BYTES;
  return nameBytes(logicalId, resources) + (REF_IS_ADDRESS.has(resources[logicalId].Type) ? ARN_OVERHEAD_BYTES : 0);
}

function attributeBytes(logicalId, attribute, resources) {
  if (!(logicalId in resources)) return UNKNOWN_BYTES;
  if (/Arn$/.test(attribute)) return nameBytes(logicalId, resources) + ARN_OVERHEAD_BYTES;
  if (attribute === 'QueueName' || attribute === 'Name') return nameBytes(logicalId, resources);
  return UNKNOWN_BYTES;
}

/**
 * A value as a string of its longest length: literals as they are (JSON-escaped, as Lambda measures them),
 * intrinsic functions as the longest they resolve to (filled with `x`, which needs no escaping).
 */
export function longestValue(value, resources = {}) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const fill = (bytes) => 'x'.repeat(bytes);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const [[fn, args] = []] = Object.entries(value);
    if (fn === 'Ref' && typeof args === 'string') return fill(refBytes(args, resources));
    if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(args) ? args : String(args).split('.');
      return fill(attributeBytes(logicalId, attribute, resources));
    }
    if (fn === 'Fn::Sub') {
      const [text, variables = {}] = Array.isArray(args) ? args : [args];
      if (typeof text === 'string') {
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_, name) =>
          name in variables ? longestValue(variables[name], resources) : fill(substitutionBytes(name, resources)),
        );
      }
    }
    if (fn === 'Fn::Join' && Array.isArray(args) && Array.isArray(args[1])) {
      return args[1].map((part) => longestValue(part, resources)).join(String(args[0]));
    }
  }
  return fill(UNKNOWN_BYTES);
}

/** The size Lambda gives a set of variables: its JSON, in UTF-8 bytes, each value at its longest. */
export function environmentBytes(variables, resources = {}) {
  const resolved = Object.fromEntries(Object.entries(variables ?? {}).map(([key, value]) => [key, longestValue(value, resources)]));
  return Buffer.byteLength(JSON.stringify(resolved));
}

/** Each function of a compiled template whose environment exceeds the limit, with its size and largest variables. */
export function oversizedEnvironments(template, limit = ENVIRONMENT_LIMIT_BYTES) {
  const resources = template?.Resources ?? {};
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const variables = resource.Properties?.Environment?.Variables ?? {};
      const largest = Object.entries(variables)
        .map(([key, value]) => ({ key, bytes: environmentBytes({ [key]: value }, resources) - 2 }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 3);
      return { function: literalNameOf(resource) ?? logicalId, bytes: environmentBytes(variables, resources), largest };
    })
    .filter((entry) => entry.bytes > limit);
}

export default class LambdaEnvironmentSize {
  constructor(serverless) {
    this.hooks = { 'before:package:finalize': () => this.check(serverless) };
  }

  check(serverless) {
    const oversized = oversizedEnvironments(serverless.service.provider.compiledCloudFormationTemplate);
    if (oversized.length === 0) return;
    const lines = oversized.map(
      (entry) =>
        `  ${entry.function}: ${entry.bytes} bytes (largest: ${entry.largest.map((variable) => `${variable.key} ${variable.bytes}`).join(', ')})`,
    );
    throw new Error(
      [
        `Lambda allows ${ENVIRONMENT_LIMIT_BYTES} bytes of environment variables per function (measured as their JSON); these exceed it:`,
        ...lines,
        'A JWKS this large holds too many keys: retire the previous ones (functions/users/README.md, Keys) and package again.',
      ].join('\n'),
    );
  }
}
