import { createDb } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTemplateDatabase, databaseUrl, TEMPLATE_DATABASE, testServerUrl } from './store.js';

/**
 * On PostgreSQL, migrates one template database before any test file runs:
 * copying it (CREATE DATABASE … TEMPLATE) is much quicker than migrating a
 * fresh database for every test.
 */
export default async function setup(): Promise<void> {
  if (!testServerUrl) return;
  await createTemplateDatabase(testServerUrl);
  const db = createDb('', databaseUrl(testServerUrl, TEMPLATE_DATABASE));
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}
