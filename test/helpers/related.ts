import { afterAll, beforeAll, beforeEach } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from './app.js';
import { TestSmtpServer } from './smtp.js';

/** Written into descriptions and notes: it must never reach a mail. */
export const MARKER = 'PHI-MARKER-41c9';

export interface RelatedWorld {
  smtp: TestSmtpServer;
  t: TestApp;
  ann: Browser;
  bo: Browser;
  out: Browser;
  champ: Browser;
  /** Staff ids by username: ann, bo, out, champ, admin. */
  ids: Record<string, number>;
  /** Sends what the outbox holds to the SMTP server and returns what arrived. */
  delivered(): ReturnType<TestSmtpServer['deliveredBy']>;
}

/**
 * Within the calling file: the linked-tickets agency (three staff, a champion and
 * an administrator, all but the administrator signed in), with mail to a real
 * SMTP server; the outbox is emptied before each test.
 */
export function useRelatedWorld(): RelatedWorld {
  const world = { ids: {} } as RelatedWorld;
  beforeAll(async () => {
    world.smtp = await TestSmtpServer.start();
    world.t = await createTestApp({
      SMTP_URL: world.smtp.url,
      SMTP_FROM: 'Help desk <help@agency.org>',
    });
    for (const [name, role] of [
      ['ann', 'staff'],
      ['bo', 'staff'],
      ['out', 'staff'],
      ['champ', 'champion'],
      ['admin', 'admin'],
    ] as const) {
      world.ids[name] = (await addStaff(world.t.app, name, { name: `${name} Person`, role })).id;
    }
    world.ann = await signIn(world.t.app, 'ann');
    world.bo = await signIn(world.t.app, 'bo');
    world.out = await signIn(world.t.app, 'out');
    world.champ = await signIn(world.t.app, 'champ');
    world.delivered = () => world.smtp.deliveredBy(world.t.app.outbox);
  });
  afterAll(async () => {
    await world.t?.close();
    await world.smtp?.stop();
  });
  beforeEach(async () => {
    await world.t.app.outbox.runOnce();
    world.smtp.received.length = 0;
  });
  return world;
}

export const link = (browser: Browser, id: number, other: string, kind = 'related') =>
  browser.post(`/tickets/${id}/links`, { other, kind });
