import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fp from 'fastify-plugin';

/** Cookies and url-encoded form bodies, for pages that work without JavaScript. */
export default fp(async (app) => {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 256 * 1024 });
});
