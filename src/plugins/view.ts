import { join } from 'node:path';
import view from '@fastify/view';
import fp from 'fastify-plugin';
import { ROOT } from '../root.js';
import { createEta } from '../views/eta.js';

export default fp(async (app) => {
  await app.register(view, {
    engine: { eta: createEta() },
    root: join(ROOT, 'views'),
    viewExt: 'eta',
    production: true,
  });
});
