import { afterEach } from 'vitest';
import type { Config } from '../../src/config.js';
import type { DoctorContext } from '../../src/ops/doctor-check.js';
import type { TestApp } from './app.js';
import type { TestSmtpServer } from './smtp.js';

export interface DoctorWorld {
  /** The app a test makes for itself; closed after each test. */
  t: TestApp;
  /** A mail server a test starts; stopped after each test. */
  smtp: TestSmtpServer | null;
  /** What a check reads: the app's config with these overrides, its store, now. */
  context(overrides?: Partial<Config>, extra?: Partial<DoctorContext>): DoctorContext;
}

/** Within the calling file: each test builds its own app (and mail server), closed after it. */
export function useDoctorWorld(): DoctorWorld {
  const w = { smtp: null } as DoctorWorld;
  w.context = (overrides = {}, extra = {}) => ({
    config: { ...w.t.config, ...overrides },
    db: w.t.app.db,
    now: new Date(),
    timeZone: 'America/Chicago',
    tzFromEnvironment: true,
    ...extra,
  });
  afterEach(async () => {
    await w.smtp?.stop();
    w.smtp = null;
    await w.t.close();
  });
  return w;
}
