import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SHARED_SETTINGS_MS } from '../../src/decorators/agency.js';
import { SETTING_KEYS, setSetting } from '../../src/repositories/settings.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testStore } from '../helpers/store.js';

// Only where several processes share the store does a request re-read the
// settings; with SQLite's one process the copy in memory is never stale.
describe.runIf(testStore === 'postgres')('agency settings saved by another process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => vi.useRealTimers());

  it('are read again by a page request once stale, but not by stylesheets and scripts', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // Saved straight in the store, as another process would.
    await setSetting(t.app.db, SETTING_KEYS.agencyName, 'Riverbend Home Health', null, new Date());
    vi.advanceTimersByTime(SHARED_SETTINGS_MS);

    for (const url of ['/static/css/app.css', '/vendor/htmx/htmx.min.js']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(200);
      expect(t.app.agency.current().name).toBe('hushdesk');
    }
    expect((await t.app.inject({ method: 'GET', url: '/sign-in' })).statusCode).toBe(200);
    expect(t.app.agency.current().name).toBe('Riverbend Home Health');
  });
});
