import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { copyStore } from '../src/db/copy-store.js';
import { createDb } from '../src/db/index.js';
import type { Manifest } from './seed.js';

/**
 * The bench on PostgreSQL: each seeded SQLite data set is copied once into a
 * database of its own on the server `--database-url` names (with the
 * product's own `copy-store`), and the servers are started on it.
 */

/** The server's URL with another database name (keeps ?host= for a Unix socket). */
export function withDatabase(serverUrl: string, database: string): string {
  return serverUrl.replace(/^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?/, `$1/${database}`);
}

/** Runs `run` on one connection to the server, then closes it. */
export async function onServer<T>(
  serverUrl: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A database holding the copy of `dataDir`'s store: reused while its comment
 * names the same seeding, else made again. Returns its URL.
 */
export async function postgresCopy(
  serverUrl: string,
  dataDir: string,
  name: string,
  manifest: Manifest,
  log: (line: string) => void,
): Promise<string> {
  const database = `hushdesk_bench_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  const stamp = `seeded ${manifest.seededAt}, ${manifest.tickets} tickets`;
  const existing = await onServer(serverUrl, async (c) => {
    const { rows } = await c.query<{ stamp: string | null }>(
      'select shobj_description(oid, $2) as stamp from pg_database where datname = $1',
      [database, 'pg_database'],
    );
    return rows[0];
  });
  const url = withDatabase(serverUrl, database);
  if (existing?.stamp === stamp) {
    log(`Reusing PostgreSQL database ${database} (${stamp})`);
    return url;
  }
  log(`Copying ${dataDir} into PostgreSQL database ${database}`);
  const started = performance.now();
  await onServer(serverUrl, async (c) => {
    await c.query(`drop database if exists ${database} with (force)`);
    await c.query(`create database ${database} template template0`);
  });
  const from = createDb(dataDir);
  const to = createDb('', url);
  try {
    await copyStore(from, to);
    // Fresh statistics, as autovacuum would give a database in use.
    await onServer(url, (c) => c.query('analyze'));
  } finally {
    await from.destroy();
    await to.destroy();
  }
  await onServer(serverUrl, (c) =>
    c.query(`comment on database ${database} is '${stamp.replaceAll("'", "''")}'`),
  );
  log(`  copied in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return url;
}

/** The seeded data set's encryption key, for HUSHDESK_KEY: every process reads the same PHI. */
export function seededKey(dataDir: string): string {
  return readFileSync(join(dataDir, 'hushdesk.key'), 'utf8').trim();
}

/**
 * Several processes behind one address, as a reverse proxy puts them: each new
 * connection goes to the next process in turn (autocannon's connections are
 * kept open, so 20 connections are split 10 and 10).
 */
export function roundRobin(ports: number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const port = ports[next++ % ports.length] as number;
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
