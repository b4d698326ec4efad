import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type RunningServer, startNodeServer } from '../../bench/processes.js';
import { startCommand } from '../../bench/start-command.js';
import { CookieJar, csrfTokenIn } from './cookie-jar.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Compiles src/ into dist/ when a source is newer than the last build (what
 * `npm start` does), so a test can run the real server as its own process.
 */
export function buildServer(): void {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`the build failed:\n${built.stdout}${built.stderr}`);
}

export interface ServerProcess extends RunningServer {
  /** Its DATA_DIR: the SQLite file and key where no DATABASE_URL is given. */
  dataDir: string;
  /** Ends the process at once, as a crash or `kill -9` would: nothing is finished. */
  kill(): Promise<void>;
}

/** One key for every process of a test: what they encrypt, the others read. */
export const sharedPhiKey = () => randomBytes(32).toString('base64');

/**
 * What `npm start` runs (`node [flags] dist/src/server.bundle.js`), in a process of its own, with its own DATA_DIR and
 * the environment given (DATABASE_URL, HUSHDESK_KEY, SMTP_URL…), ready once
 * /healthz answers 200.
 */
export async function startServerProcess(
  name: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), `hushdesk-${name}-`));
  const port = await freePort();
  const start = startCommand(ROOT);
  const server = await startNodeServer({
    name,
    script: start.script,
    nodeArgs: start.nodeArgs,
    port,
    readyPath: '/healthz',
    quiet: true,
    env: { DATA_DIR: dataDir, BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn', ...env },
  });
  const cleanUp = () => rmSync(dataDir, { recursive: true, force: true });
  return {
    ...server,
    dataDir,
    async stop() {
      await server.stop();
      cleanUp();
    },
    async kill() {
      process.kill(server.pid, 'SIGKILL');
      // stop() waits for the exit the kill causes.
      await server.stop();
      cleanUp();
    },
  };
}

type Form = Record<string, string>;

/**
 * A browser's cookies and CSRF token over real HTTP, for servers running as
 * processes (test/helpers/app.ts's Browser speaks to an app in this process).
 * Cookies are kept per client, not per server: one session serves every process.
 */
export class HttpClient {
  private readonly cookies = new CookieJar();
  csrf = '';

  async request(
    url: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: string; location: string | null }> {
    const cookie = this.cookies.header();
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
    this.cookies.take(response.headers.getSetCookie());
    const body = await response.text();
    const token = csrfTokenIn(body);
    if (token) this.csrf = token;
    return { status: response.status, body, location: response.headers.get('location') };
  }

  get(url: string) {
    return this.request(url);
  }

  /** Posts a form as a browser does, with the CSRF token last seen on a page. */
  post(url: string, form: Form = {}) {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString(),
    });
  }

  /** Signs in through the real form on `baseUrl`. */
  async signIn(baseUrl: string, username: string, password: string): Promise<this> {
    await this.get(`${baseUrl}/sign-in`);
    const posted = await this.post(`${baseUrl}/sign-in`, { username, password });
    if (posted.status !== 303)
      throw new Error(`signing in as ${username} answered ${posted.status}`);
    await this.get(`${baseUrl}/`);
    return this;
  }
}
