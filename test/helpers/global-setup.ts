import { createDb } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTemplateDatabase, databaseUrl, dropDatabase, testServerUrl } from './store.js';

/**
 * On PostgreSQL, migrates one template database before any test file runs:
 * copying it (CREATE DATABASE … TEMPLATE) is much quicker than migrating a
 * fresh database for every test. Dropped when the run ends.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const serverUrl = testServerUrl;
  if (!serverUrl) return undefined;
  const template = await createTemplateDatabase(serverUrl);
  process.env.HUSHDESK_TEST_TEMPLATE = template;
  const db = createDb('', databaseUrl(serverUrl, template));
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return () => dropDatabase(serverUrl, template);
}
