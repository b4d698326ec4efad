import { createHash } from 'node:crypto';
import type * as OpenId from 'openid-client';
import { checkIssuerUrl } from './issuer.js';
import type { SsoSettings } from './settings.js';

/** How long a discovered provider is reused before its metadata is read again. */
const CACHE_MS = 60 * 60_000;
/** Each request to the provider gives up after this long; sign-in should not hang. */
const TIMEOUT_SECONDS = 10;

export class SsoConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoConnectionError';
  }
}

interface Connection {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The openid-client Configuration for the provider, discovered once and kept
 * for an hour. It holds no sign-in state (that travels in a cookie, see
 * transaction.ts), so several processes each keeping their own copy is fine.
 */
let loading: Promise<typeof OpenId> | undefined;

/**
 * openid-client (and the JOSE code under it) is loaded by the first single
 * sign-on request, not at start-up: most agencies never turn it on.
 */
export function openIdClient(): Promise<typeof OpenId> {
  loading ??= import('openid-client');
  return loading;
}

export class SsoClients {
  private cache = new Map<string, { configuration: OpenId.Configuration; at: number }>();

  constructor(private readonly allowHttpLoopback: boolean) {}

  async configuration(settings: SsoSettings): Promise<OpenId.Configuration> {
    if (!settings.clientSecret) throw new SsoConnectionError('no client secret is saved');
    const connection = {
      issuer: settings.issuer,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
    };
    const key = createHash('sha256').update(JSON.stringify(connection)).digest('hex');
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.configuration;
    const configuration = await this.discover(connection);
    this.cache.clear();
    this.cache.set(key, { configuration, at: Date.now() });
    return configuration;
  }

  /** Forget what was discovered, after Settings changed the provider. */
  forget(): void {
    this.cache.clear();
  }

  /**
   * Reads the discovery document and fetches the provider's signing keys, as
   * Settings → Test connection does before single sign-on is turned on.
   */
  async test(connection: Connection): Promise<{ keys: number; endSession: boolean }> {
    const configuration = await this.discover(connection);
    const metadata = configuration.serverMetadata();
    if (!metadata.jwks_uri) throw new SsoConnectionError('the provider publishes no signing keys');
    let keys: number;
    try {
      const response = await fetch(metadata.jwks_uri, {
        signal: AbortSignal.timeout(TIMEOUT_SECONDS * 1000),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      keys = Array.isArray(body.keys) ? body.keys.length : 0;
    } catch (error) {
      throw new SsoConnectionError(`its signing keys could not be fetched (${reason(error)})`, {
        cause: error,
      });
    }
    if (keys === 0) throw new SsoConnectionError('the provider publishes no signing keys');
    return { keys, endSession: Boolean(metadata.end_session_endpoint) };
  }

  private async discover(connection: Connection): Promise<OpenId.Configuration> {
    const checked = checkIssuerUrl(connection.issuer, this.allowHttpLoopback);
    if (!checked.ok) throw new SsoConnectionError(checked.error);
    const client = await openIdClient();
    try {
      return await client.discovery(
        checked.url,
        connection.clientId,
        connection.clientSecret,
        undefined,
        {
          timeout: TIMEOUT_SECONDS,
          execute: [
            // The ID token's signature is checked against the provider's published
            // keys too, not only trusted because it came over TLS.
            client.enableNonRepudiationChecks,
            // Only ever for an http:// provider on this machine, and only with
            // SSO_ALLOW_HTTP_LOOPBACK on (checkIssuerUrl): tests and trials.
            ...(checked.insecureLoopback ? [client.allowInsecureRequests] : []),
          ],
        },
      );
    } catch (error) {
      throw new SsoConnectionError(`its discovery document could not be read (${reason(error)})`, {
        cause: error,
      });
    }
  }
}

/** A short, PHI-free reason for the administrator: the library's code, or the message. */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return typeof code === 'string' ? `${code}${cause}` : error.message;
  }
  return String(error);
}
