import type { FastifyInstance } from 'fastify';
import { auditActorOf, type ChangeContext } from '../../change-context.js';
import type { Db } from '../../db/index.js';
import { recordAudit } from '../../repositories/audit.js';
import { getTitlePatterns } from '../../repositories/security-settings.js';
import {
  checkTitle,
  decideTitle,
  TITLE_CONFIRM_FIELD,
  TITLE_CONFIRMED_ACTION,
  type TitleDecision,
} from '../../tickets/title-guard.js';

/**
 * The title guard on a form's title (src/tickets/title-guard.ts), with the
 * agency's own patterns and the "This title holds no client information" box
 * as the person left it. The forms show the answer through _fields.eta.
 */
export async function judgeTitle(
  app: FastifyInstance,
  title: string,
  body: Record<string, unknown>,
): Promise<TitleDecision> {
  const verdict = checkTitle(title, { patterns: await getTitlePatterns(app.db), now: app.now() });
  return decideTitle(verdict, body[TITLE_CONFIRM_FIELD] === 'yes');
}

/**
 * The audit row for a confirmed soft match, to run in the transaction that
 * saves the ticket; undefined when there is nothing to record. The detail
 * names the kind of match, never the title's text.
 */
export async function auditConfirmedTitle(
  trx: Db,
  ticketId: number,
  decision: TitleDecision | null,
  change: ChangeContext,
): Promise<void> {
  if (decision?.kind !== 'accept' || !decision.confirmed) return;
  const detail = decision.confirmed.auditDetail;
  await recordAudit(
    trx,
    {
      actor: auditActorOf(change),
      action: TITLE_CONFIRMED_ACTION,
      ticketId,
      detail,
      ip: change.ip,
    },
    change.now,
  );
}
