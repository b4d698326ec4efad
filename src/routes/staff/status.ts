import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { auditChange } from '../../change-context.js';
import { isAutomationIdentity } from '../../repositories/api-tokens.js';
import { deleteSessionsOfStaff } from '../../repositories/sessions.js';
import { findStaffWithRole, type StaffListRow } from '../../repositories/staff.js';
import { removeTwoFactor } from '../../repositories/two-factor.js';
import {
  deactivateStaffMember,
  LastAdministratorError,
  reactivateStaffMember,
} from '../../staff/administration.js';
import { createPasswordResetLink, RESET_LINK_HOURS } from '../../staff/password-changes.js';
import { changeOf } from '../../web/change-context.js';
import { idParam } from '../params.js';

type Change = 'deactivate' | 'reactivate';

/**
 * Deactivation, reactivation and password links: each a POST with the CSRF
 * token, behind a confirmation page that works without JavaScript.
 */
const status: FastifyPluginAsync = async (app) => {
  const confirm = (reply: FastifyReply, member: StaffListRow, change: Change, error?: string) =>
    reply.code(error ? 409 : 200).page('staff/confirm', {
      title: `${change === 'deactivate' ? 'Deactivate' : 'Reactivate'} ${member.name}`,
      member,
      change,
      error,
    });

  const memberOf = async (id: number | null) =>
    id === null ? undefined : await findStaffWithRole(app.db, id);

  // An API token's automation identity is not a person: it never signs in.
  const refuseAutomation = (reply: FastifyReply, member: StaffListRow) =>
    reply.code(409).page('error', {
      title: 'An API token',
      message: `${member.name} stands for an API token and never signs in. Manage it under Settings, API tokens.`,
    });

  for (const change of ['deactivate', 'reactivate'] as const) {
    const wanted = change === 'deactivate' ? 1 : 0;

    app.get(`/staff/:id/${change}`, async (request, reply) => {
      const member = await memberOf(idParam(request));
      if (!member) return reply.callNotFound();
      if (member.active !== wanted) return reply.redirect(`/staff/${member.id}`, 303);
      return confirm(reply, member, change);
    });

    app.post(`/staff/:id/${change}`, async (request, reply) => {
      const member = await memberOf(idParam(request));
      if (!member) return reply.callNotFound();
      if (change === 'reactivate' && (await isAutomationIdentity(app.db, member.id))) {
        return refuseAutomation(reply, member);
      }
      try {
        const apply = change === 'deactivate' ? deactivateStaffMember : reactivateStaffMember;
        await apply(app.db, { staffId: member.id, change: changeOf(request) });
      } catch (error) {
        if (!(error instanceof LastAdministratorError)) throw error;
        return confirm(reply, member, change, error.message);
      }
      return reply.redirect(`/staff/${member.id}?done=${change}d`, 303);
    });
  }

  // The link is shown once, in the answer to this POST; only its hash is kept.
  app.post('/staff/:id/password-link', async (request, reply) => {
    const member = await memberOf(idParam(request));
    if (!member) return reply.callNotFound();
    if (await isAutomationIdentity(app.db, member.id)) return refuseAutomation(reply, member);
    if (member.active !== 1) {
      return reply.code(409).page('error', {
        title: 'Deactivated',
        message: `${member.name} is deactivated. Reactivate them first, then make a password link.`,
      });
    }
    const link = await createPasswordResetLink(app.db, {
      staffId: member.id,
      change: changeOf(request),
    });
    return reply.page('staff/password-link', {
      title: `Password link for ${member.name}`,
      member,
      link,
      hours: RESET_LINK_HOURS,
    });
  });
};

/**
 * An administrator turns off someone's two-step sign-in when they lost both
 * phone and recovery codes; their sessions end so nothing signed in with the
 * old factor stays open, and the change is audited.
 */
export const resetTwoFactor: FastifyPluginAsync = async (app) => {
  app.post('/staff/:id/two-factor/reset', async (request, reply) => {
    const id = idParam(request);
    const member = id === null ? undefined : await findStaffWithRole(app.db, id);
    if (!member) return reply.callNotFound();
    const change = changeOf(request);
    await removeTwoFactor(app.db, member.id);
    await app.db.transaction().execute(async (trx) => {
      await deleteSessionsOfStaff(trx, member.id);
      await auditChange(trx, change, {
        action: 'two-factor-reset',
        detail: `for ${member.name} (${member.username})`,
      });
    });
    return reply.redirect(`/staff/${member.id}?done=two-factor-reset`, 303);
  });
};

export default status;
