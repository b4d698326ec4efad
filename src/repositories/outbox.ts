import { hasOneServerProcess, skipLockedRows } from '../db/dialect/locking.js';
import { storeOf } from '../db/dialect/store.js';
import type { Db } from '../db/index.js';
import type { OutboxTable } from '../db/notification-schema.js';
import { prepared } from '../db/prepared.js';
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

/** Compiled once (src/db/prepared.ts): a ticket's saves queue mail in their transaction. */
const insertOutboxQuery = prepared(
  (
    db,
    v: Pick<
      OutboxTable,
      | 'kind'
      | 'recipient_staff_id'
      | 'to_address'
      | 'subject'
      | 'text_body'
      | 'html_body'
      | 'ticket_id'
      | 'next_attempt_at'
      | 'created_at'
    >,
  ) =>
    db
      .insertInto('outbox')
      .values({
        kind: v.kind,
        recipient_staff_id: v.recipient_staff_id,
        to_address: v.to_address,
        subject: v.subject,
        text_body: v.text_body,
        html_body: v.html_body,
        ticket_id: v.ticket_id,
        message_id: '',
        status: 'queued',
        next_attempt_at: v.next_attempt_at,
        created_at: v.created_at,
      })
      .returning('id'),
);
const setMessageIdQuery = prepared((db, v: { id: number; messageId: string }) =>
  db.updateTable('outbox').set({ message_id: v.messageId }).where('id', '=', v.id),
);

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
  const row = await insertOutboxQuery.first(db, {
    kind: input.kind,
    recipient_staff_id: input.recipientStaffId,
    to_address: input.toAddress,
    subject: input.subject,
    text_body: input.textBody,
    html_body: input.htmlBody,
    ticket_id: input.ticketId,
    next_attempt_at: at,
    created_at: at,
  });
  if (!row) throw new Error('the outbox insert returned no id');
  const id = row.id;
  await setMessageIdQuery.run(db, { id, messageId: `<outbox-${id}@${messageIdHost}>` });
  return id;
}

/**
 * Claims up to `limit` rows to send: due ones, and ones still `sending` whose
 * lease ended (their process died). Each is marked `sending` with a lease and
 * one more attempt, in one statement; on PostgreSQL rows another worker is
 * claiming are skipped, so two processes never claim the same row. The
 * returned `attempts` is the claim's: marking sent or failed names it, so a
 * worker whose lease ran out cannot overwrite the row's next claim.
 */
export async function claimDueOutboxMessages(
  db: Db,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<OutboxMessage[]> {
  const at = options.now.toISOString();
  const due = skipLockedRows(
    storeOf(db),
    db
      .selectFrom('outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', DUE), eb('next_attempt_at', '<=', at)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_expires_at', '<=', at)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(options.limit),
  );
  const rows = await db
    .updateTable('outbox')
    .set((eb) => ({
      status: 'sending',
      attempts: eb('attempts', '+', 1),
      lease_expires_at: new Date(options.now.getTime() + options.leaseMs).toISOString(),
    }))
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.next_attempt_at.localeCompare(b.next_attempt_at) || a.id - b.id);
}

/**
 * Just before a claimed message is sent: its lease starts again, so a batch that
 * takes long never loses its later rows to another process. False when the row
 * is no longer this claim's (its lease ran out and another process took it):
 * then it must not be sent. With one server process no one else claims, and
 * nothing is written.
 */
export async function renewOutboxClaim(
  db: Db,
  claim: { id: number; attempts: number },
  leaseEnds: Date,
): Promise<boolean> {
  if (hasOneServerProcess(storeOf(db))) return true;
  const result = await db
    .updateTable('outbox')
    .set({ lease_expires_at: leaseEnds.toISOString() })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempts)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** `claim`: the row's id and attempts as claimed. */
export async function markOutboxSent(
  db: Db,
  claim: { id: number; attempts: number },
  now: Date,
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: now.toISOString(), last_error: null, lease_expires_at: null })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempts)
    .where('status', '=', 'sending')
    .execute();
}

export async function markOutboxFailed(
  db: Db,
  claim: { id: number; attempts: number },
  failure: { error: string; retryAt: Date | null },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: failure.retryAt ? 'retrying' : 'dead',
      last_error: failure.error,
      lease_expires_at: null,
      ...(failure.retryAt ? { next_attempt_at: failure.retryAt.toISOString() } : {}),
    })
    .where('id', '=', claim.id)
    .where('attempts', '=', claim.attempts)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * Rows a crash left in `sending`: the server never confirmed them, so they go
 * out again. This is the one case a row may be sent twice. Only where one
 * server process uses the store: with several, a row sending is another
 * process's until its lease ends, and the claim takes it over then.
 */
export async function requeueInterruptedOutboxMessages(db: Db): Promise<number> {
  if (!hasOneServerProcess(storeOf(db))) return 0;
  const result = await db
    .updateTable('outbox')
    .set({ status: 'queued', lease_expires_at: null })
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Claimed rows not tried after all: back as they were, attempt not counted. */
export async function releaseOutboxClaims(
  db: Db,
  claims: readonly { id: number; attempts: number }[],
): Promise<void> {
  for (const claim of claims) {
    await db
      .updateTable('outbox')
      .set({ status: 'queued', attempts: claim.attempts - 1, lease_expires_at: null })
      .where('id', '=', claim.id)
      .where('attempts', '=', claim.attempts)
      .where('status', '=', 'sending')
      .execute();
  }
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
