/**
 * Login with Auth0's SPA SDK (authorization code + PKCE). Domain, client and audience come from config.json,
 * so one build serves any tenant — or the local identity provider, whose domain is a full http:// URL.
 */
import { createAuth0Client, type Auth0Client, type User } from '@auth0/auth0-spa-js';
import type { PageConfig } from '../../actions/lib/types';
import { ApiError, explain } from '../../client/api';
import { pageHome } from './urls';

/** What a login carries through the identity provider and back: the search being watched when it started. */
interface AppState {
  job?: string;
}

export interface Session {
  client: Auth0Client;
  user: User | undefined;
  /** Why the login that just came back failed, in words for people. */
  loginError: string | undefined;
  /** The search that was being watched when the login that just came back started. */
  resumeJob: string | undefined;
  /** The API access token; when there is none (the login ended), an ApiError 401 like the API's own. */
  token: () => Promise<string>;
  /** Logs in; `job`, the search being watched, is followed again when the login comes back. */
  login: (job?: string) => Promise<void>;
  logout: () => Promise<void>;
}

function describe(error: unknown): string {
  // The SDK's errors carry the provider's `error_description`; fall back to the message.
  const details = error as { error_description?: string; message?: string };
  return details.error_description || details.message || String(error);
}

export async function startSession(config: PageConfig['auth0']): Promise<Session> {
  const home = pageHome(location.href);
  const client = await createAuth0Client({
    domain: config.domain,
    clientId: config.clientId,
    // Keeps the login across reloads without third-party cookies (the local provider runs on another port).
    cacheLocation: 'localstorage',
    authorizationParams: { redirect_uri: home, audience: config.audience, scope: 'openid profile email' },
  });
  let loginError: string | undefined;
  let resumeJob: string | undefined;
  const query = new URLSearchParams(location.search);
  if ((query.has('code') || query.has('error')) && query.has('state')) {
    try {
      const { appState } = await client.handleRedirectCallback<AppState>();
      if (typeof appState?.job === 'string' && appState.job) resumeJob = appState.job;
    } catch (error) {
      loginError = `Logging in failed: ${describe(error)}. Try again.`;
    } finally {
      history.replaceState(null, '', location.pathname);
    }
  }
  const user = (await client.isAuthenticated()) ? await client.getUser() : undefined;
  return {
    client,
    user,
    loginError,
    resumeJob,
    token: async () => {
      let token: string | undefined;
      try {
        token = await client.getTokenSilently();
      } catch (error) {
        throw new ApiError(401, explain(401, describe(error), 'search'));
      }
      if (!token) throw new ApiError(401, explain(401, 'no access token', 'search'));
      return token;
    },
    login: (job) => client.loginWithRedirect<AppState>(job ? { appState: { job } } : {}),
    logout: () => client.logout({ logoutParams: { returnTo: home } }),
  };
}
