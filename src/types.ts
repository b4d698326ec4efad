import type { Config } from './config.js';
import type { Db } from './db/index.js';

/** The signed-in person, loaded afresh on every request so permission changes apply at once. */
export interface SignedInStaff {
  id: number;
  name: string;
  username: string;
  email: string;
  roleId: number;
  roleName: string;
  /** admin, champion, staff or external for the built-in roles; null for roles added later. */
  roleKey: string | null;
  permissions: ReadonlySet<string>;
}

export interface CurrentSession {
  id: string;
  csrfToken: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    /** The clock every rule about time reads; tests move it forward. */
    now: () => Date;
  }
  interface FastifyRequest {
    staff: SignedInStaff | null;
    session: CurrentSession | null;
    /** Set when a session cookie came in but its session had ended. */
    sessionEnded: boolean;
  }
}
