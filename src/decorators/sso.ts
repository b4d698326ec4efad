import fp from 'fastify-plugin';
import { SsoClients } from '../auth/oidc/client.js';

/** `app.sso`: the provider's discovered configuration, kept between sign-ins. */
export default fp(
  async (app) => {
    app.decorate('sso', new SsoClients(app.config.ssoAllowHttpLoopback));
  },
  { name: 'sso' },
);

declare module 'fastify' {
  interface FastifyInstance {
    sso: SsoClients;
  }
}
