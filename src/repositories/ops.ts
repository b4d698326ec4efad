import type { Db } from '../db/index.js';
import { getSetting, setSetting } from './settings.js';

/** The latest time the store recorded anything: a clock behind it has gone backwards. */
export async function findNewestRecordedTime(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('at').as('at'))
    .executeTakeFirst();
  return row?.at ?? null;
}

/** Someone confirmed that a copy of this key is kept apart from the machine. */
export interface KeyCopyConfirmation {
  keyId: string;
  at: string;
  by: string;
}

const KEY_COPY = 'ops.key_copy_confirmed';
const REQUESTS_SEEN = 'ops.requests_seen';

export function getKeyCopyConfirmation(db: Db): Promise<KeyCopyConfirmation | null> {
  return getSetting<KeyCopyConfirmation | null>(db, KEY_COPY, null);
}

export async function confirmKeyCopy(
  db: Db,
  confirmation: KeyCopyConfirmation,
  staffId: number | null,
): Promise<void> {
  await setSetting(db, KEY_COPY, confirmation, staffId, new Date(confirmation.at));
}

/** When requests last came through a proxy, and straight from another machine. */
export interface RequestsSeen {
  forwardedAt: string | null;
  directAt: string | null;
}

export function getRequestsSeen(db: Db): Promise<RequestsSeen> {
  return getSetting<RequestsSeen>(db, REQUESTS_SEEN, { forwardedAt: null, directAt: null });
}

export async function saveRequestsSeen(db: Db, seen: RequestsSeen, now: Date): Promise<void> {
  await setSetting(db, REQUESTS_SEEN, seen, null, now);
}
