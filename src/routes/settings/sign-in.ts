import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { SsoConnectionError } from '../../auth/oidc/client.js';
import {
  formValuesOf,
  readSsoForm,
  type SsoField,
  type SsoFormValues,
  validateSsoForm,
} from '../../auth/oidc/form.js';
import { loadSsoSettings, postLogoutUrl, redirectUrl } from '../../auth/oidc/settings.js';
import { auditChange } from '../../change-context.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import type { FieldErrors } from '../../forms/fields.js';
import { listActiveStaffWithPermission, listRoles } from '../../repositories/roles.js';
import { findSsoProvider, saveSsoProvider } from '../../repositories/sso.js';
import { changeOf } from '../../web/change-context.js';

type TestResult = { ok: true; message: string } | { ok: false; message: string } | null;

/**
 * Settings → Sign-in (manage_settings): the agency's OpenID Connect provider.
 * Turning it on tests the connection first; the client secret is stored
 * encrypted with the agency key and never shown again.
 */
const signInSettings: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');

  async function choices() {
    const [administrators, roles] = await Promise.all([
      listActiveStaffWithPermission(app.db, 'manage_settings'),
      listRoles(app.db),
    ]);
    // A whole email domain never gets administrators or outside support by default.
    return {
      administrators,
      roles: roles.filter((r) => r.key !== 'admin' && r.key !== 'external'),
    };
  }

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    values: SsoFormValues,
    errors: FieldErrors<SsoField>,
    test: TestResult,
  ) {
    const settings = await loadSsoSettings(app.db, app.config, app.phi);
    const row = await findSsoProvider(app.db);
    return reply.page('settings/sign-in', {
      title: 'Sign-in settings',
      values,
      errors,
      test,
      fromEnvironment: settings?.source === 'environment',
      secretStored: Boolean(row?.client_secret),
      saved: (request.query as Record<string, unknown>).saved === '1',
      redirectUrl: redirectUrl(app.config),
      postLogoutUrl: postLogoutUrl(app.config),
      allowHttpLoopback: app.config.ssoAllowHttpLoopback,
      ...(await choices()),
    });
  }

  /** Discovery read and keys fetched, or why not, in words for the administrator. */
  async function testConnection(values: SsoFormValues, storedSecret: string | null) {
    try {
      const result = await app.sso.test({
        issuer: values.issuer,
        clientId: values.clientId,
        clientSecret: values.clientSecret || storedSecret || '',
      });
      const keys = `${result.keys} signing key${result.keys === 1 ? '' : 's'}`;
      const out = result.endSession ? 'it offers sign-out too' : 'it offers no sign-out of its own';
      return {
        ok: true as const,
        message: `Connected: discovery document read, ${keys} fetched; ${out}.`,
      };
    } catch (error) {
      const why = error instanceof SsoConnectionError ? error.message : 'it did not answer';
      return { ok: false as const, message: `The connection failed: ${why}.` };
    }
  }

  app.get('/settings/sign-in', async (request, reply) => {
    const settings = await loadSsoSettings(app.db, app.config, app.phi);
    return show(request, reply, formValuesOf(settings), {}, null);
  });

  app.post('/settings/sign-in', async (request, reply) => {
    const staff = request.staff;
    if (!staff) return;
    const body = request.body as Record<string, unknown>;
    const values = readSsoForm(body);
    if (app.config.sso) return reply.redirect('/settings/sign-in', 303);
    const row = await findSsoProvider(app.db);
    const { administrators, roles } = await choices();
    const errors = validateSsoForm(values, {
      allowHttpLoopback: app.config.ssoAllowHttpLoopback,
      secretStored: Boolean(row?.client_secret),
      administratorIds: new Set(administrators.map((a) => a.id)),
      roleIds: new Set(roles.map((r) => r.id)),
    });
    if (Object.keys(errors).length > 0) return show(request, reply.code(422), values, errors, null);
    const storedSecret = app.phi.decrypt(row?.client_secret ?? null);
    const testing = body.action === 'test';
    if (testing || values.enabled) {
      const test = await testConnection(values, storedSecret);
      if (testing) return show(request, reply, values, {}, test);
      if (!test.ok) {
        const refused = {
          issuer: `${test.message} Single sign-on stays off until the test passes.`,
        };
        return show(request, reply.code(422), values, refused, test);
      }
    }
    const now = app.now();
    const changed = changedFields(row, values);
    await app.db.transaction().execute(async (trx) => {
      await saveSsoProvider(
        trx,
        {
          name: values.name,
          issuer: values.issuer.replace(/\/$/, ''),
          clientId: values.clientId,
          clientSecret: values.clientSecret ? app.phi.encrypt(values.clientSecret) : undefined,
          enabled: values.enabled,
          required: values.required,
          breakGlassStaffId: values.breakGlassStaffId ? Number(values.breakGlassStaffId) : null,
          createDomain: values.createDomain || null,
          createRoleId: values.createDomain ? Number(values.createRoleId) : null,
        },
        staff.id,
        now,
      );
      await auditChange(trx, changeOf(request), {
        action: 'setting-changed',
        detail: `single sign-on: ${changed.join(', ') || 'saved unchanged'}`,
      });
    });
    app.sso.forget();
    return reply.redirect('/settings/sign-in?saved=1', 303);
  });
};

/** What the audit row names as changed; the secret only as "replaced", never its value. */
function changedFields(
  row: Awaited<ReturnType<typeof findSsoProvider>>,
  values: SsoFormValues,
): string[] {
  const out: string[] = [];
  const was = (a: unknown, b: unknown, label: string) => {
    if (a !== b) out.push(label);
  };
  was(row?.name, values.name, 'name');
  was(row?.issuer, values.issuer.replace(/\/$/, ''), 'issuer');
  was(row?.client_id, values.clientId, 'client ID');
  if (values.clientSecret) out.push('client secret replaced');
  if ((row?.enabled === 1) !== values.enabled)
    out.push(values.enabled ? 'turned on' : 'turned off');
  if ((row?.required === 1) !== values.required) {
    out.push(values.required ? 'required for everyone' : 'no longer required');
  }
  was(
    row?.break_glass_staff_id ?? null,
    values.breakGlassStaffId ? Number(values.breakGlassStaffId) : null,
    'break-glass administrator',
  );
  was(row?.create_domain ?? null, values.createDomain || null, 'account creation domain');
  return out;
}

export default signInSettings;
