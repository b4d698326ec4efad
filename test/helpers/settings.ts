import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from './app.js';

/** The Settings tests' app: Ann, an administrator, signed in; `open` loads the page. */
export async function startSettingsApp(): Promise<{
  t: TestApp;
  admin: Browser;
  annId: number;
  open: () => Promise<LightMyRequestResponse>;
}> {
  const t = await createTestApp();
  const annId = (await addStaff(t.app, 'ann', { name: 'Ann Lee', role: 'admin' })).id;
  const admin = await signIn(t.app, 'ann');
  const open = async () => {
    const page = await admin.get('/settings');
    expect(page.statusCode).toBe(200);
    return page;
  };
  return { t, admin, annId, open };
}
