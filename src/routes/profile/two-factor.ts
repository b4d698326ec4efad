import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  ENROL_PATH,
  enrolmentDetails,
  finishEnrolment,
  issueNewRecoveryCodes,
  startEnrolment,
  verifySecondFactor,
} from '../../auth/two-factor.js';
import { auditChange } from '../../change-context.js';
import { safeReturnPath } from '../../decorators/auth.js';
import { text } from '../../forms/fields.js';
import { requiresTwoFactor } from '../../repositories/security-settings.js';
import {
  countUnusedRecoveryCodes,
  findTwoFactor,
  removeTwoFactor,
} from '../../repositories/two-factor.js';
import type { SignedInStaff } from '../../types.js';
import { changeOf } from '../../web/change-context.js';

const WRONG_CODE =
  'That code did not match. Enter the newest code from your authenticator app; if codes keep failing, check that the phone’s clock is set automatically.';

interface PageState {
  next: string;
  error?: string | null;
  codesError?: string | null;
  offError?: string | null;
}

/**
 * Two-step sign-in for the signed-in person: set up an authenticator (QR code
 * rendered here on the server, and the secret to type by hand), confirm one
 * code, receive ten single-use recovery codes; later, new codes or turning it
 * off. /profile itself belongs to the profile page.
 */
const twoFactorProfile: FastifyPluginAsync = async (app) => {
  const me = (request: FastifyRequest): SignedInStaff => {
    if (!request.staff) throw new Error('requireSignIn guards this route');
    return request.staff;
  };
  const when = new Intl.DateTimeFormat('en-US', {
    timeZone: app.config.timeZone,
    dateStyle: 'long',
  });

  async function show(request: FastifyRequest, reply: FastifyReply, state: PageState) {
    const staff = me(request);
    const row = await findTwoFactor(app.db, staff.id);
    const required = await requiresTwoFactor(app.db);
    const common = {
      title: 'Two-step sign-in',
      next: state.next,
      required,
      error: state.error ?? null,
      codesError: state.codesError ?? null,
      offError: state.offError ?? null,
      low: (request.query as Record<string, unknown>).low === '1',
      turnedOff: (request.query as Record<string, unknown>).off === '1',
    };
    if (!row) return reply.page('profile/two-factor', { ...common, status: 'off' });
    if (!row.confirmed_at) {
      return reply.page('profile/two-factor', {
        ...common,
        status: 'pending',
        ...(await enrolmentDetails(app.phi, app.config, row, staff.username)),
      });
    }
    return reply.page('profile/two-factor', {
      ...common,
      status: 'on',
      since: when.format(new Date(row.confirmed_at)),
      codesLeft: await countUnusedRecoveryCodes(app.db, staff.id),
    });
  }

  function showCodes(reply: FastifyReply, codes: string[], next: string, fresh: boolean) {
    return reply.page('profile/two-factor-codes', {
      title: 'Your recovery codes',
      codes,
      next,
      fresh,
    });
  }

  const nextOf = (source: unknown) => {
    const value = (source as Record<string, unknown> | undefined)?.next;
    return typeof value === 'string' && value ? safeReturnPath(value) : '/';
  };

  app.get(ENROL_PATH, async (request, reply) =>
    show(request, reply, { next: nextOf(request.query) }),
  );

  app.post(`${ENROL_PATH}/start`, async (request, reply) => {
    const next = nextOf(request.body);
    await startEnrolment(app.db, app.phi, me(request).id, app.now());
    const query = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
    return reply.redirect(`${ENROL_PATH}${query}`, 303);
  });

  app.post(`${ENROL_PATH}/confirm`, async (request, reply) => {
    const staff = me(request);
    const next = nextOf(request.body);
    const code = text((request.body as Record<string, unknown>).code);
    const codes = await finishEnrolment(app.db, app.phi, staff.id, code, app.now());
    if (!codes) return show(request, reply.code(422), { next, error: WRONG_CODE });
    await auditChange(app.db, changeOf(request), { action: 'two-factor-enrolled' });
    return showCodes(reply, codes, next, true);
  });

  app.post(`${ENROL_PATH}/recovery-codes`, async (request, reply) => {
    const staff = me(request);
    const code = text((request.body as Record<string, unknown>).code);
    const result = await verifySecondFactor(app.db, app.phi, staff.id, code, app.now());
    if (result.kind === 'wrong') {
      await auditChange(app.db, changeOf(request), {
        action: 'two-factor-failed',
        detail: 'asking for new recovery codes',
      });
      return show(request, reply.code(422), { next: '/', codesError: WRONG_CODE });
    }
    const codes = await issueNewRecoveryCodes(app.db, staff.id, app.now());
    await auditChange(app.db, changeOf(request), { action: 'recovery-codes-replaced' });
    return showCodes(reply, codes, '/', false);
  });

  app.post(`${ENROL_PATH}/off`, async (request, reply) => {
    const staff = me(request);
    if (await requiresTwoFactor(app.db)) {
      return show(request, reply.code(409), {
        next: '/',
        offError: 'Your agency requires two-step sign-in, so it cannot be turned off.',
      });
    }
    const code = text((request.body as Record<string, unknown>).code);
    const result = await verifySecondFactor(app.db, app.phi, staff.id, code, app.now());
    if (result.kind === 'wrong') {
      await auditChange(app.db, changeOf(request), {
        action: 'two-factor-failed',
        detail: 'turning two-step sign-in off',
      });
      return show(request, reply.code(422), { next: '/', offError: WRONG_CODE });
    }
    await removeTwoFactor(app.db, staff.id);
    await auditChange(app.db, changeOf(request), { action: 'two-factor-removed' });
    return reply.redirect(`${ENROL_PATH}?off=1`, 303);
  });
};

export default twoFactorProfile;
