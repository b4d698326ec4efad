import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

/** A person the provider knows: the login typed at its form is the key and their subject. */
export interface ProviderAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
}

export const CLIENT_ID = 'hushdesk-test';
export const CLIENT_SECRET = 'provider-client-secret-Zq7x-not-in-clear';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function makeKey(kid: string): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    jwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
  };
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * A real OpenID provider (oidc-provider) on a loopback port, with the dev
 * login form: type any of `accounts`' logins. `tamperIdToken` changes the ID
 * token its token endpoint answers with, to check that hushdesk refuses it.
 */
export class TestProvider {
  accounts = new Map<string, ProviderAccount>();
  /** Rewrites the ID token's claims and signs it again: with the provider's key, or another. */
  tamper: { claims?: (c: Record<string, unknown>) => void; foreignKey?: boolean } | null = null;
  readonly key = makeKey('provider-key-1');
  private readonly stranger = makeKey('provider-key-1');

  private constructor(
    readonly issuer: string,
    private readonly server: Server,
  ) {}

  static async start(redirectUris: string[], postLogoutUris: string[] = []): Promise<TestProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = new TestProvider(`http://127.0.0.1:${port}`, server);
    const oidc = new Provider(
      provider.issuer,
      provider.configuration(redirectUris, postLogoutUris),
    );
    oidc.use(async (ctx, next) => {
      await next();
      const body = ctx.body as { id_token?: string } | undefined;
      if (ctx.path === '/token' && provider.tamper && body?.id_token) {
        ctx.body = { ...body, id_token: provider.resign(body.id_token) };
      }
    });
    server.on('request', oidc.callback());
    return provider;
  }

  private configuration(redirectUris: string[], postLogoutUris: string[]): Configuration {
    return {
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          redirect_uris: redirectUris,
          post_logout_redirect_uris: postLogoutUris,
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: [this.key.jwk] },
      cookies: { keys: ['test-cookie-key-one', 'test-cookie-key-two'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: async (_ctx, id) => {
        const account = this.accounts.get(id);
        if (!account) return undefined;
        return {
          accountId: id,
          claims: async () => ({
            sub: id,
            email: account.email,
            email_verified: account.email_verified ?? true,
            ...(account.name ? { name: account.name } : {}),
          }),
        };
      },
      // Consent is granted at once: the agency's own app needs no consent screen.
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client?.clientId,
          accountId: ctx.oidc.session?.accountId,
        });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    };
  }

  private resign(idToken: string): string {
    const [header = '', payload = ''] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    this.tamper?.claims?.(claims);
    const signingInput = `${header}.${b64url(JSON.stringify(claims))}`;
    const key = this.tamper?.foreignKey ? this.stranger : this.key;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey);
    return `${signingInput}.${b64url(signature)}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The person's side at the provider, over plain HTTP with a cookie jar: follows
 * redirects from the authorization URL, fills in the login form, and stops at
 * the first redirect back to hushdesk, which it returns.
 */
export async function signInAtProvider(
  authorizationUrl: string,
  login: string,
  backTo: string,
): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let form: URLSearchParams | null = null;
  for (let hop = 0; hop < 12; hop++) {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form?.toString(),
    });
    for (const c of response.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    form = null;
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url).href;
      if (next.startsWith(backTo)) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(html)?.[1];
    if (!action || !html.includes('name="prompt" value="login"')) {
      throw new Error(`the provider answered ${response.status} without a login form`);
    }
    url = new URL(action, url).href;
    form = new URLSearchParams({ prompt: 'login', login, password: 'any' });
  }
  throw new Error('too many redirects at the provider');
}
