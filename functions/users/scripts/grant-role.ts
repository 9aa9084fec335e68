/**
 * Grants a role to the user with an email, or with --revoke takes it away: the operator's way to make the first
 * admin of a stage (functions/users/README.md, "User roles"). The user's other roles stay; the change reaches their
 * access token at their next log-in or refresh, so a revoked role can still act for one access-token lifetime.
 *
 *   npm run users:grant-role -- --email ada@example.com --role admin                    # the running `npm start` stack
 *   npm run users:grant-role -- --email ada@example.com --role admin --port-offset 100   # started with --port-offset 100
 *   npm run users:grant-role -- --email ada@example.com --role admin --revoke
 *   npm run users:grant-role -- --email ada@example.com --role admin --stage dev --region eu-west-1
 *
 * Locally it writes through the stack's DynamoDB endpoint (127.0.0.1:8000 + the offset) signed with the stack's own
 * key, as the stack's seeding does. With --stage it writes the stage's users table (`<service>-<stage>-users`) with
 * your AWS credentials (the usual chain: environment, profile, SSO); they need dynamodb:GetItem on the
 * table's EMAIL# and USER# items and dynamodb:UpdateItem on its USER# items. --endpoint-url points either at another
 * DynamoDB endpoint (LocalStack: --stage localstack --endpoint-url http://localhost:4566).
 * Exit status: 0 done (or nothing to do), 1 failed (an unknown email, an unreachable table), 2 a wrong command line.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isRole, ROLES, type Role } from '../../shared/auth/roles.js';
import { NotFoundError } from '../../shared/domain-errors.js';
import { DynamoDbUserRepository } from '../adapters/dynamodb-user-repository.js';
import { UserService } from '../domain/user-service.js';

/** What `npm start` listens on with no offset, and how it signs its own calls (local/stack.ts DEFAULT_PORTS, LOCAL_CREDENTIALS). */
export const LOCAL_DYNAMODB_PORT = 8000;
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';
const LOCAL_STAGE = 'local';
const DEFAULT_SERVICE = 'ecommerce';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface GrantRoleOptions {
  email: string;
  role: Role;
  /** Take the role away instead. */
  revoke?: boolean;
  /** A deployed stage (the caller's AWS credentials); without it, the local stack `npm start` runs. */
  stage?: string;
  region?: string;
  /** Locally: the `--port-offset` `npm start` was given (its DynamoDB endpoint moves up by as much). */
  portOffset?: number;
  /** Another DynamoDB endpoint than the one the target implies. */
  endpoint?: string;
  /** The serverless service name (serverless.yml `service`). */
  service?: string;
}

export interface GrantRoleTarget {
  /** The local stack (`npm start`), not a deployed stage. */
  local: boolean;
  /** The DynamoDB endpoint, when not AWS's own. */
  endpoint?: string;
  tableName: string;
  client: DynamoDBClientConfig;
  /** Where, in words: "the local stack (DynamoDB http://127.0.0.1:8000)", "stage dev (eu-west-1)". */
  description: string;
}

/** The users table and the DynamoDB client the options name. */
export function grantRoleTarget(
  options: Pick<GrantRoleOptions, 'stage' | 'region' | 'portOffset' | 'endpoint' | 'service'>,
): GrantRoleTarget {
  const service = options.service ?? DEFAULT_SERVICE;
  if (options.stage !== undefined) {
    if (options.portOffset !== undefined) throw new UsageError('--port-offset is for the local stack: leave it out with --stage');
    if (!/^[A-Za-z0-9-]+$/.test(options.stage)) throw new UsageError(`not a stage name: ${options.stage}`);
    const client: DynamoDBClientConfig = {
      ...(options.region ? { region: options.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    };
    const where = [options.region, options.endpoint].filter(Boolean).join(', ');
    return {
      local: false,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      tableName: `${service}-${options.stage}-users`,
      client,
      description: `stage ${options.stage}${where ? ` (${where})` : ''}`,
    };
  }
  const offset = options.portOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || LOCAL_DYNAMODB_PORT + offset > 65_535)
    throw new UsageError('--port-offset must be a whole number from 0 (as given to npm start)');
  const endpoint = options.endpoint ?? `http://127.0.0.1:${LOCAL_DYNAMODB_PORT + offset}`;
  return {
    local: true,
    endpoint,
    tableName: `${service}-${LOCAL_STAGE}-users`,
    client: { endpoint, region: options.region ?? LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 },
    description: `the local stack (DynamoDB ${endpoint})`,
  };
}

export interface GrantRoleResult {
  userId: string;
  email: string;
  roles: Role[];
  changed: boolean;
  /** What was done, in a sentence or two, for the operator. */
  message: string;
}

/** Grants (or revokes) the role; throws NotFoundError for an email nobody has, UsageError for bad options. */
export async function grantRole(options: GrantRoleOptions): Promise<GrantRoleResult> {
  if (!isRole(options.role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')}`);
  const target = grantRoleTarget(options);
  const client = new DynamoDBClient(target.client);
  try {
    const users = new UserService({ users: new DynamoDbUserRepository(DynamoDBDocumentClient.from(client), target.tableName) });
    const result = await users.changeRole(options.email, options.role, options.revoke ? 'revoke' : 'grant');
    return { ...result, message: describeChange(options, result, target) };
  } catch (error) {
    throw explained(error, target);
  } finally {
    client.destroy();
  }
}

function describeChange(options: GrantRoleOptions, result: Omit<GrantRoleResult, 'message'>, target: GrantRoleTarget): string {
  const who = `${result.email} (user ${result.userId}) on ${target.description}, table ${target.tableName}`;
  const now = `roles now [${result.roles.join(', ')}]`;
  if (!result.changed)
    return `${who} ${options.revoke ? 'does not have' : 'already has'} the role ${options.role}: nothing changed; ${now}.`;
  return options.revoke
    ? `Revoked the role ${options.role} from ${who}: ${now}. Access tokens issued before keep it until they expire ` +
        '(one access-token lifetime, 15 minutes by default); their next refresh or log-in drops it.'
    : `Granted the role ${options.role} to ${who}: ${now}. It reaches their access token at their next log-in or refresh.`;
}

/** The causes an operator can act on, said as such; anything else as it came. */
function explained(error: unknown, target: GrantRoleTarget): unknown {
  if (error instanceof NotFoundError) return new NotFoundError(`${error.message} on ${target.description}, table ${target.tableName}`);
  const { name = '', message = '', code = '' } = error as Error & { code?: string };
  if (name === 'ResourceNotFoundException')
    return new Error(`No table ${target.tableName} on ${target.description}: is the stage deployed there (--stage, --region)?`);
  if (target.local && (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)))
    return new Error(`Nothing answers at ${target.endpoint}: is \`npm start\` running (with this --port-offset)?`);
  return error;
}

/** The command line's options (argv without node and the script). */
export function parseGrantRoleArgs(argv: string[]): GrantRoleOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        revoke: { type: 'boolean', default: false },
        stage: { type: 'string' },
        region: { type: 'string' },
        'port-offset': { type: 'string' },
        'endpoint-url': { type: 'string' },
        service: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.email?.trim()) throw new UsageError('give --email <email> (the user to change)');
  if (!values.role) throw new UsageError(`give --role <role> (one of: ${ROLES.join(', ')})`);
  if (!isRole(values.role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')} (not ${values.role})`);
  const portOffset = values['port-offset'];
  if (portOffset !== undefined && !/^[0-9]{1,5}$/.test(portOffset))
    throw new UsageError('--port-offset must be a whole number from 0 (as given to npm start)');
  return {
    email: values.email,
    role: values.role,
    revoke: values.revoke,
    ...(values.stage !== undefined ? { stage: values.stage } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(portOffset !== undefined ? { portOffset: Number(portOffset) } : {}),
    ...(values['endpoint-url'] !== undefined ? { endpoint: values['endpoint-url'] } : {}),
    ...(values.service !== undefined ? { service: values.service } : {}),
  };
}

async function main(): Promise<void> {
  // The SDK's notice that its 2027 releases need Node 22 (README, "Run it" names the Node versions): not this command's news.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options: GrantRoleOptions;
  try {
    options = parseGrantRoleArgs(process.argv.slice(2));
    grantRoleTarget(options);
  } catch (error) {
    console.error(`grant-role: ${(error as Error).message}`);
    console.error(
      'usage: npm run users:grant-role -- --email <email> --role <role> [--revoke] [--port-offset N | --stage <stage> [--region <region>]]',
    );
    process.exit(2);
  }
  try {
    console.log((await grantRole(options)).message);
  } catch (error) {
    console.error(`grant-role failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
