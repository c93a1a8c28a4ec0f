/**
 * Tokens for the pipeline tests, from the local identity provider (../../local/standins/identity): `issue()`
 * registers the test's user with the provider and signs a token for it exactly as the provider does (overrides
 * make expired or wrong-audience ones); `forge()` signs one with a key the provider does not publish.
 */
import { randomUUID } from 'node:crypto';
import type { AccessTokenOverrides } from '../../local/standins/identity';
import { useIdentityProvider, type TestIdentity } from './identity';

/** A user as the actions see it through /userinfo. */
export interface TestUser {
  sub: string;
  name: string;
  picture?: string;
}

export interface TestIssuer extends TestIdentity {
  issue(user: TestUser, overrides?: AccessTokenOverrides): Promise<string>;
  /** A well-formed token for a known user, signed by a key the provider does not publish. */
  forge(user: TestUser): Promise<string>;
}

export async function useIssuer(): Promise<TestIssuer> {
  const idp = await useIdentityProvider();
  // These users never log in through the form: a password nobody knows.
  const register = (user: TestUser) => idp.addUser({ ...user, username: user.sub, password: randomUUID() });
  return Object.assign(idp, {
    issue(user: TestUser, overrides?: AccessTokenOverrides) {
      register(user);
      return idp.issueAccessToken(user, overrides);
    },
    forge(user: TestUser) {
      register(user);
      return idp.forgeAccessToken(user);
    },
  });
}
