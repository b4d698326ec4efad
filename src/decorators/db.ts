import fp from 'fastify-plugin';
import { checkStore, createDb, type Db } from '../db/index.js';
import { migrateToLatest } from '../db/migrate.js';

/** The store, migrated before the first request and closed with the app. */
export default fp<{ db?: Db }>(async (app, options) => {
  const db = options.db ?? createDb(app.config.dataDir, app.config.databaseUrl);
  try {
    await checkStore(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  await migrateToLatest(db);
  app.decorate('db', db);
  app.addHook('onClose', async () => {
    await db.destroy();
  });
});
