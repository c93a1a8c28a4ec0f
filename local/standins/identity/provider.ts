/**
 * oidc-provider configured to behave like Auth0 for an SPA: Auth0's paths, PKCE for a public client, the
 * `audience` parameter mapped to a resource indicator so access tokens are RS256 JWTs for the API, profile claims
 * in the ID token (what auth0-spa-js's getUser() reads), no consent screen for the first-party client.
 */
import type { Configuration, KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { JWK } from 'jose';
import type { IdentityUser } from './accounts';
import { claimsOf, SCOPE } from './claims';
import { logoutPage, messagePage } from './pages';

export interface ProviderSetup {
  issuer: string;
  audience: string;
  clientId: string;
  redirectUris: string[];
  users: Map<string, IdentityUser>;
  signingKey: JWK;
  cookieKeys: string[];
  /** `updated_at` of every user, an ISO date as Auth0 gives it. */
  updatedAt: string;
}

export const ACCESS_TOKEN_TTL_S = 3600;

/**
 * Two of oidc-provider's start-up warnings do not apply to a local stand-in and would only alarm: its in-memory
 * adapter is the point (state lives as long as `findme start`), and Node 20 works (the tests run on it).
 */
const EXPECTED_WARNINGS = [/Unsupported runtime/, /in-memory adapter is used/];

async function withoutExpectedWarnings<T>(make: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!EXPECTED_WARNINGS.some((w) => w.test(String(args[0])))) warn(...args);
  };
  try {
    return await make();
  } finally {
    console.warn = warn;
  }
}

export async function createProvider(setup: ProviderSetup): Promise<Provider> {
  // Imported here, not at the top: oidc-provider warns about the runtime as it loads.
  const { Provider, errors } = await withoutExpectedWarnings(() => import('oidc-provider'));
  const configuration: Configuration = {
    clients: [
      {
        client_id: setup.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: setup.redirectUris,
        post_logout_redirect_uris: setup.redirectUris,
      },
    ],
    jwks: { keys: [setup.signingKey as never] },
    cookies: { keys: setup.cookieKeys },
    extraParams: ['audience'],
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name', 'nickname', 'picture', 'updated_at'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email'],
    ttl: { AccessToken: ACCESS_TOKEN_TTL_S, AuthorizationCode: 60, IdToken: 3600, Session: 24 * 3600, Interaction: 3600, Grant: 24 * 3600 },
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      jwks: '/.well-known/jwks.json',
      // Shadowed by the provider's own Auth0-style /userinfo (userinfo.ts), so discovery names the one that works.
      userinfo: '/userinfo',
      end_session: '/oidc/logout',
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const user = setup.users.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async (_use, scope) => claimsOf(user, setup.updatedAt, scope) };
    },
    // The SPA is first-party: grant what it asks for without a consent screen, as Auth0 does for such apps.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(oidc.client!.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId! });
      grant.addOIDCScope(SCOPE);
      grant.addResourceScope(setup.audience, SCOPE);
      await grant.save();
      return grant;
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris!.some((uri) => new URL(uri).origin === origin),
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // auth0-spa-js sends `audience`, not `resource`.
        defaultResource: (ctx) => (ctx.oidc.params?.audience as string | undefined) ?? setup.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          // Auth0 refuses an unknown API the same way: back to the page with an error, not a crash.
          if (resource !== setup.audience) throw new errors.InvalidTarget(`unknown audience ${resource}: this provider issues tokens for ${setup.audience}`);
          return { scope: SCOPE, audience: setup.audience, accessTokenTTL: ACCESS_TOKEN_TTL_S, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
      // auth0-spa-js renews tokens in a hidden iframe with response_mode=web_message, as Auth0 supports.
      webMessageResponseMode: { enabled: true, ack: 'individual-draft-01' },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = messagePage('Logged out', 'You are logged out of findme.');
        },
      },
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage('Log in failed', `${String(out.error)}: ${String(out.error_description ?? '')}`);
    },
  };
  return withoutExpectedWarnings(async () => new Provider(setup.issuer, configuration));
}
