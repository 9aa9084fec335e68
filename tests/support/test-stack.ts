// The stage params of the test stacks (both global setups) and what the end-to-end suites learn of them.
// A short log-in window, so the suites can watch it close; a refresh lifetime no session test outlives on a loaded
// machine (expiry itself is unit-tested with an injected clock: functions/users/domain/sessions.test.ts);
// a high per-address limit, since every suite logs in from 127.0.0.1 (tests/e2e/sessions.test.ts).
const LOGIN_ATTEMPT_WINDOW_SECONDS = 10;
const LOGIN_MAX_FAILURES_PER_EMAIL = 5;
const REFRESH_TOKEN_TTL_SECONDS = 60;
/**
 * A confirmed order is charged after this many seconds (the payment-due queue's delay; 60 by default): short, so
 * the suites see PAID within seconds, yet long enough to cancel a CONFIRMED order inside its grace period.
 */
const PAYMENT_GRACE_SECONDS = 3;
/** One browser origin the test stacks allow (tests/e2e/cors.test.ts); every other is refused. */
const CORS_ALLOWED_ORIGIN = 'http://allowed.example:5173';

/** The second (function-auth) stack: the same, except the lifetimes the main stack's suites already wait out. */
export const FUNCTION_AUTH_STACK_PARAMS = [
  'loginMaxFailuresPerAddress=100000',
  `corsAllowedOrigins=${CORS_ALLOWED_ORIGIN}`,
  `paymentGraceSeconds=${PAYMENT_GRACE_SECONDS}`,
];

export const TEST_STACK_PARAMS = [
  `loginAttemptWindowSeconds=${LOGIN_ATTEMPT_WINDOW_SECONDS}`,
  `loginMaxFailuresPerEmail=${LOGIN_MAX_FAILURES_PER_EMAIL}`,
  'loginMaxFailuresPerAddress=100000',
  `refreshTokenTtlSeconds=${REFRESH_TOKEN_TTL_SECONDS}`,
  `corsAllowedOrigins=${CORS_ALLOWED_ORIGIN}`,
  `paymentGraceSeconds=${PAYMENT_GRACE_SECONDS}`,
];

/** For the suites' workers: the limits they may count on (against another URL they assume the defaults; see FUNCTION_AUTH_STACK_PARAMS). */
export const TEST_STACK_E2E_ENV = {
  E2E_LOGIN_ATTEMPT_WINDOW_SECONDS: String(LOGIN_ATTEMPT_WINDOW_SECONDS),
  E2E_LOGIN_MAX_FAILURES_PER_EMAIL: String(LOGIN_MAX_FAILURES_PER_EMAIL),
  E2E_CORS_ALLOWED_ORIGIN: CORS_ALLOWED_ORIGIN,
  E2E_PAYMENT_GRACE_SECONDS: String(PAYMENT_GRACE_SECONDS),
};

/**
 * For the function-auth stack's workers (their environment is that project's `env` in vitest.config.ts): the one
 * param both stacks share that the suites wait on.
 */
export const FUNCTION_AUTH_STACK_E2E_ENV = {
  E2E_PAYMENT_GRACE_SECONDS: String(PAYMENT_GRACE_SECONDS),
};
