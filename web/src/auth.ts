/**
 * Login with Auth0's SPA SDK (authorization code + PKCE). Domain, client and audience come from /config.json,
 * so one build serves any tenant — or the local identity provider, whose domain is a full http:// URL.
 */
import { createAuth0Client, type Auth0Client, type User } from '@auth0/auth0-spa-js';
import type { PageConfig } from '../../actions/lib/types';

export interface Session {
  client: Auth0Client;
  user: User | undefined;
  token: () => Promise<string>;
  login: () => Promise<void>;
  logout: () => Promise<void>;
}

export async function startSession(config: PageConfig['auth0']): Promise<Session> {
  const home = `${location.origin}/`;
  const client = await createAuth0Client({
    domain: config.domain,
    clientId: config.clientId,
    // Keeps the login across reloads without third-party cookies (the local provider runs on another port).
    cacheLocation: 'localstorage',
    authorizationParams: { redirect_uri: home, audience: config.audience, scope: 'openid profile email' },
  });
  const query = new URLSearchParams(location.search);
  if ((query.has('code') || query.has('error')) && query.has('state')) {
    try {
      await client.handleRedirectCallback();
    } finally {
      history.replaceState(null, '', location.pathname);
    }
  }
  const user = (await client.isAuthenticated()) ? await client.getUser() : undefined;
  return {
    client,
    user,
    token: async () => {
      const token = await client.getTokenSilently();
      if (!token) throw new Error('no access token: log in again');
      return token;
    },
    login: () => client.loginWithRedirect(),
    logout: () => client.logout({ logoutParams: { returnTo: home } }),
  };
}
