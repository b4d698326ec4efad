import type { Db } from '../db/index.js';
import type { OutboxMessage, OutboxStatus } from '../db/schema.js';

export interface OutboxInput {
  kind: string;
  recipientStaffId: number | null;
  toAddress: string;
  subject: string;
  textBody: string;
  htmlBody: string;
  ticketId: number | null;
}

/** Statuses the worker still has to deal with: the queue /healthz reports. */
const WAITING: OutboxStatus[] = ['queued', 'retrying', 'sending'];
const DUE: OutboxStatus[] = ['queued', 'retrying'];

/**
 * Queues one message in the caller's transaction. The Message-ID comes from the
 * row's id, so it is set once the id is known, in the same transaction.
 */
export async function insertOutboxMessage(
  db: Db,
  input: OutboxInput,
  messageIdHost: string,
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const { id } = await db
    .insertInto('outbox')
    .values({
      kind: input.kind,
      recipient_staff_id: input.recipientStaffId,
      to_address: input.toAddress,
      subject: input.subject,
      text_body: input.textBody,
      html_body: input.htmlBody,
      ticket_id: input.ticketId,
      message_id: '',
      status: 'queued',
      next_attempt_at: at,
      created_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .updateTable('outbox')
    .set({ message_id: `<outbox-${id}@${messageIdHost}>` })
    .where('id', '=', id)
    .execute();
  return id;
}

export function findDueOutboxMessages(db: Db, now: Date, limit: number): Promise<OutboxMessage[]> {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('status', 'in', DUE)
    .where('next_attempt_at', '<=', now.toISOString())
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Marks a due row as being sent; false when it was not due any more. One statement, one short transaction. */
export async function claimOutboxMessage(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', DUE)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markOutboxSent(db: Db, id: number, now: Date): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now.toISOString(), last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

export async function markOutboxFailed(
  db: Db,
  id: number,
  failure: { error: string; retryAt: Date | null },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: failure.retryAt ? 'retrying' : 'dead',
      last_error: failure.error,
      ...(failure.retryAt ? { next_attempt_at: failure.retryAt.toISOString() } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * Rows a crash left in `sending`: the server never confirmed them, so they go
 * out again. This is the one case a row may be sent twice.
 */
export async function requeueInterruptedOutboxMessages(db: Db): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued' })
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Without SMTP_URL: what would have gone out stays readable on the Outbox page. */
export async function deliverDueOutboxMessagesLocally(db: Db, now: Date): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'delivered_locally', sent_at: now.toISOString() })
    .where('status', 'in', DUE)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A dead row gets a fresh set of attempts, due now; false unless it was dead. */
export async function retryDeadOutboxMessage(db: Db, id: number, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued', attempts: 0, next_attempt_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export type OutboxListItem = Pick<
  OutboxMessage,
  | 'id'
  | 'kind'
  | 'to_address'
  | 'subject'
  | 'status'
  | 'attempts'
  | 'last_error'
  | 'created_at'
  | 'sent_at'
  | 'ticket_id'
>;

/** Newest first; `beforeId` pages back. */
export function listOutboxMessages(
  db: Db,
  filter: { status: OutboxStatus | null; beforeId: number | null; limit: number },
): Promise<OutboxListItem[]> {
  let query = db
    .selectFrom('outbox')
    .select([
      'id',
      'kind',
      'to_address',
      'subject',
      'status',
      'attempts',
      'last_error',
      'created_at',
      'sent_at',
      'ticket_id',
    ])
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}

export function findOutboxMessageById(db: Db, id: number): Promise<OutboxMessage | undefined> {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** How many messages wait, and since when: for /healthz. */
export async function summarizeOutboxQueue(
  db: Db,
): Promise<{ waiting: number; oldestCreatedAt: string | null }> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('status', 'in', WAITING)
    .executeTakeFirstOrThrow();
  return { waiting: Number(row.n), oldestCreatedAt: row.oldest ?? null };
}

/**
 * Deletes delivered messages (sent, or kept locally without SMTP) that went out
 * before `cutoff`; queued, retrying and dead ones stay. Returns how many.
 */
export async function purgeDeliveredOutboxMessages(db: Db, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('status', 'in', ['sent', 'delivered_locally'])
    .where('sent_at', '<', cutoff.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Messages that gave up (dead letters): they wait for an administrator's retry. */
export async function countDeadOutboxMessages(db: Db): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'dead')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
