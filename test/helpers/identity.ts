/**
 * The local identity provider for one test file: started once, closed in `after()`, with a scripted login for
 * its users. The page origin is the discard port: the provider only ever redirects there, nothing calls it.
 */
import { after } from 'node:test';
import { DEMO_PASSWORD, startIdentityProvider, type IdentityOptions, type IdentityProvider } from '../../local/standins/identity';
import { loginWithPassword, type LoginResult } from './oidc-client';

export const TEST_PAGE_ORIGIN = 'http://127.0.0.1:9';

export interface TestIdentity extends IdentityProvider {
  /** The redirect URI logins return to. */
  redirectUri: string;
  /** The whole authorization-code + PKCE flow through the login form, as a browser would. */
  login(username: string, password?: string): Promise<LoginResult>;
}

export async function useIdentityProvider(options: Partial<IdentityOptions> = {}): Promise<TestIdentity> {
  const idp = await startIdentityProvider({ pageOrigins: [TEST_PAGE_ORIGIN], ...options });
  after(() => idp.close());
  const redirectUri = `${options.pageOrigins?.[0] ?? TEST_PAGE_ORIGIN}/`;
  // Assigned, not spread: `users` and `userinfoCalls` are getters and must stay live.
  return Object.assign(idp, {
    redirectUri,
    login: (username: string, password = DEMO_PASSWORD) =>
      loginWithPassword({ domain: idp.domain, clientId: idp.clientId, audience: idp.audience, redirectUri, username, password }),
  });
}
