import fp from 'fastify-plugin';
import { openPhiKey } from '../crypto/key.js';
import { type PhiCipher, phiCipher } from '../crypto/phi.js';

/**
 * `app.phi`: encrypts and decrypts PHI columns (ticket descriptions, note
 * bodies) with the agency's key. Registered after the store, because the key
 * is checked against the database; a missing or wrong key fails start-up.
 *
 *   description: app.phi.encrypt(text)      // before insert/update
 *   text = app.phi.decrypt(row.description) // after select; null stays null
 */
export default fp(
  async (app) => {
    const opened = await openPhiKey(
      app.db,
      { dataDir: app.config.dataDir, envKey: app.config.phiKey },
      app.now(),
    );
    for (const warning of opened.warnings) app.log.warn(warning);
    if (opened.created) {
      app.log.warn(
        { keyFile: opened.source, keyId: opened.key.id },
        'made a new encryption key: copy this file somewhere safe, apart from the backups',
      );
    }
    app.decorate('phi', phiCipher(opened.key));
  },
  { name: 'phi', decorators: { fastify: ['db'] } },
);

declare module 'fastify' {
  interface FastifyInstance {
    phi: PhiCipher;
  }
}
