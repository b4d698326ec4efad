import { expect } from 'vitest';
import { ANN_ADMIN, signIn, useTestAppWith } from './app.js';
import { staffId } from './db.js';

/**
 * Within the calling file: the Settings tests' app, with Ann, an administrator,
 * signed in as `admin`; `open` loads the page.
 */
export function useSettingsApp() {
  return useTestAppWith(ANN_ADMIN, async (t) => {
    const admin = await signIn(t.app, 'ann');
    const open = async () => {
      const page = await admin.get('/settings');
      expect(page.statusCode).toBe(200);
      return page;
    };
    return { admin, annId: await staffId(t.app, 'ann'), open };
  });
}
