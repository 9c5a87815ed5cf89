import type { LimitRule } from './rate-limit';

/** Failures one client may make for one account before that pair is blocked. */
export const ACCOUNT_CLIENT_FREE_FAILURES = 5;
/** Failures one client may make across all accounts (e.g. trying many emails) before it is blocked. */
export const CLIENT_FREE_FAILURES = 20;

/** Equal to `@3cx-relay/db`'s LOGIN_ACCOUNT_CLIENT_PREFIX, whose `clearLoginBlocks` lifts them (a test checks). */
export const ACCOUNT_CLIENT = 'login:account-client:';

/**
 * The counters a sign-in attempt is charged to, as OWASP recommends: the account *from this
 * client* (so an attacker elsewhere cannot lock the real user out, and the known first admin
 * `admin@localhost` stays reachable), and the client across accounts (so guessing many accounts
 * from one address is throttled too). `[0]` is cleared by a success, `[1]` only given back.
 */
export function loginRules(email: string, client: string): [LimitRule, LimitRule] {
  return [
    { key: `${ACCOUNT_CLIENT}${email}|${client}`, freeFailures: ACCOUNT_CLIENT_FREE_FAILURES },
    { key: `login:client:${client}`, freeFailures: CLIENT_FREE_FAILURES },
  ];
}
