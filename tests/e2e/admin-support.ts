// An admin for the end-to-end suites of the local stack: a user signed up through the API, granted the role admin on
// their stored profile by the operator's command, then logged in so the token carries it.
// Local only: the command writes the users table of the local stack (call it in a describeLocal suite).
import { randomUUID } from 'node:crypto';
import { grantRole } from '../../functions/users/scripts/grant-role.js';
import { DEFAULT_PORTS } from '../../local/stack.js';
import { baseUrl } from '../support/env.js';
import { api } from '../support/http.js';
import type { Session } from './orders-support.js';
import { decodePart } from './token-forge.js';

/**
 * The `--port-offset` of the stack under test, as the operator's command takes it: a test stack's ports are
 * npm start's moved up by one offset (tests/support/ports.ts), so the API port tells it.
 */
export const stackPortOffset = () => Number(new URL(baseUrl()).port) - DEFAULT_PORTS.http;

/** The role admin on the user's stored profile, by the operator's command (functions/users/scripts/grant-role.ts). */
export const grantAdmin = (email: string) => grantRole({ email, role: 'admin', portOffset: stackPortOffset() });

async function logIn(email: string, password: string): Promise<Session> {
  const login = await api('POST', '/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`log-in failed: ${login.status} ${login.text}`);
  return { userId: login.body.userId as string, token: login.body.token as string };
}

/** A new user with the role admin in their access token. */
export async function adminSession(tag = 'admin'): Promise<Session> {
  const email = `${tag}-${randomUUID()}@example.com`;
  const pwd = `pw-${randomUUID()}`;
  const created = await api('POST', '/users', { body: { email, name: 'Catalog Admin', pwd } });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  await grantAdmin(email);
  // A role reaches a token at the next log-in (tokens are stateless).
  const session = await logIn(email, pwd);
  const roles = decodePart<{ roles?: unknown }>(session.token, 1).roles;
  if (!Array.isArray(roles) || !roles.includes('admin')) {
    throw new Error(
      `the access token issued after the grant carries roles ${JSON.stringify(roles)}, not admin: log-in does not put the stored roles in the token`,
    );
  }
  return session;
}
