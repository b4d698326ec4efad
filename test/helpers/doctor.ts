import type { Config } from '../../src/config.js';
import type { DoctorContext } from '../../src/ops/doctor-check.js';
import type { TestApp } from './app.js';

/** What a doctor check is given, over a test app: its config with these changes. */
export function doctorContext(
  t: TestApp,
  overrides: Partial<Config> = {},
  extra: Partial<DoctorContext> = {},
): DoctorContext {
  return {
    config: { ...t.config, ...overrides },
    db: t.app.db,
    now: new Date(),
    timeZone: 'America/Chicago',
    tzFromEnvironment: true,
    ...extra,
  };
}
