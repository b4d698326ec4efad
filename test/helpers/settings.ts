import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from './app.js';

/** The Settings tests' app: Ann, an administrator, signed in; `open` loads the page. */
export interface SettingsApp {
  t: TestApp;
  admin: Browser;
  annId: number;
  open: () => Promise<LightMyRequestResponse>;
}

async function startSettingsApp(): Promise<SettingsApp> {
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

/** Within the calling file: the Settings tests' app, built before its tests and closed after. */
export function useSettingsApp(): SettingsApp {
  const world = {} as SettingsApp;
  beforeAll(async () => {
    Object.assign(world, await startSettingsApp());
  });
  afterAll(() => world.t?.close());
  return world;
}
