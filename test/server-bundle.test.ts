import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildServer,
  HttpClient,
  type ServerProcess,
  startServerProcess,
} from './helpers/processes.js';

const ROOT = join(import.meta.dirname, '..');
const PASSWORD = 'correct horse battery staple';

/**
 * `npm start` runs dist/src/server.bundle.js, the server bundled into one file
 * (scripts/build.mjs). The rest of the suite runs the sources, so this runs the
 * bundle itself on a new data folder: its migrations, a sign-in (argon2, left
 * outside the bundle), a ticket written and read back (Kysely, inside it), and
 * the files it serves.
 */
describe('the bundled server', () => {
  let server: ServerProcess;
  const client = new HttpClient();

  beforeAll(async () => {
    buildServer();
    server = await startServerProcess('bundle', {});
    const added = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin', 'hushdesk.js'),
        'staff',
        'add',
        '--name',
        'Ann Bundle',
        '--username',
        'ann',
        '--email',
        'ann@example.org',
        '--role',
        'staff',
        '--password-stdin',
      ],
      {
        input: PASSWORD,
        encoding: 'utf8',
        env: { ...process.env, DATA_DIR: server.dataDir, BASE_URL: server.url },
      },
    );
    expect(added.status, added.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('migrates a new store, signs in, and writes and reads a ticket', async () => {
    expect((await client.get(`${server.url}/healthz`)).status).toBe(200);
    await client.signIn(server.url, 'ann', PASSWORD);
    const created = await client.post(`${server.url}/tickets`, {
      title: 'Bundle check: the label printer jams',
      priority: 'low',
      description: 'Written through the bundled server.',
      assignee: 'self',
    });
    expect(created.status).toBe(303);
    const location = created.location ?? '';
    expect(location).toMatch(/^\/tickets\/\d+/);
    const page = await client.get(`${server.url}${location}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Bundle check: the label printer jams');
    expect(page.body).toContain('Written through the bundled server.');
  });

  it('serves its own files: the stylesheet and htmx', async () => {
    expect((await client.get(`${server.url}/static/css/app.css`)).status).toBe(200);
    expect((await client.get(`${server.url}/vendor/htmx/htmx.min.js`)).status).toBe(200);
  });
});
