import { describe, expect, it } from 'vitest';
import { LicenceInfo } from './licence-info.js';

/** An unsigned JWT with these role claims (the relay reads claims, it does not verify them). */
function token(roles: string[]): string {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ role: roles, MaxRole: 'System Owner' })}.`;
}

describe('LicenceInfo from the token', () => {
  it("keeps the last token's licence while the shared token is being renewed", () => {
    const tokens: { current: string | undefined } = { current: undefined };
    const info = new LicenceInfo(tokens);
    expect(info.current).toBeUndefined();

    tokens.current = token(['Paid', 'System Owner']);
    expect(info.current).toMatchObject({ edition: 'professional', source: 'token' });

    // Call Control's socket reconnects and renews the token: none is held for a moment.
    tokens.current = undefined;
    expect(info.current).toMatchObject({ edition: 'professional', source: 'token' });

    // The next token tells again, and a changed licence shows.
    tokens.current = token(['Enterprise', 'Paid']);
    expect(info.current).toMatchObject({ edition: 'enterprise', source: 'token' });
  });

  it('a token without role claims tells nothing', () => {
    const info = new LicenceInfo({ current: token([]) });
    expect(info.current).toBeUndefined();
  });
});
