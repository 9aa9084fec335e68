// POST /users (functions/users/routes.ts lists the routes).
import { defineRoute } from '../../shared/http/route.js';
import * as z from '../../shared/schema.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../domain/user.js';
import { TAG, THROTTLED } from './common.js';

// Control characters in a name would end up in other people's screens and logs.
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u;

const signUpBody = z.strictObject({
  email: z
    .string()
    .check(z.trim(), z.toLowerCase(), z.maxLength(EMAIL_MAX_LENGTH), z.regex(z.regexes.email, 'must be a valid email address')),
  name: z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(NAME_MAX_LENGTH), z.regex(NO_CONTROL_CHARACTERS, 'must not contain control characters')),
  pwd: z.string().check(z.minLength(PASSWORD_MIN_LENGTH), z.maxLength(PASSWORD_MAX_LENGTH)),
});

export const signUp = defineRoute({
  method: 'POST',
  path: '/users',
  tag: TAG,
  summary: 'Sign up',
  description: 'The email is stored trimmed and lower-cased and is unique case-insensitively. The password is never returned.',
  request: { body: signUpBody },
  responses: {
    201: {
      description: 'The new user',
      body: z.object({ userId: z.string(), email: z.string(), name: z.string() }),
      headers: { location: 'The user' },
    },
  },
  errors: { 409: 'EMAIL_TAKEN: a user with this email exists', 429: THROTTLED },
});
