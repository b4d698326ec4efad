import fp from 'fastify-plugin';
import { checkStore, createDb, type Db } from '../db/index.js';
import { upgradeDatabase } from '../ops/upgrade.js';

/** The store, migrated before the first request (backed up first when it is an upgrade) and closed with the app. */
export default fp<{ db?: Db }>(async (app, options) => {
  const db =
    options.db ??
    createDb(app.config.dataDir, app.config.databaseUrl, {
      checkpointInBackground: true,
      onCheckpointError: (message) =>
        app.log.warn(
          { error: message },
          'a background checkpoint failed; the writer still checkpoints',
        ),
    });
  try {
    await checkStore(db);
    const upgrade = await upgradeDatabase(db, app.config.dataDir, new Date());
    if (upgrade.backup) {
      app.log.info(
        { backup: upgrade.backup, migrations: upgrade.migrated },
        'upgraded the database; the backup taken before it is kept for going back',
      );
    }
  } catch (error) {
    if (!options.db) await db.destroy();
    throw error;
  }
  app.decorate('db', db);
  app.addHook('onClose', async () => {
    await db.destroy();
  });
});
