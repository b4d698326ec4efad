import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { reloadAgencySettings } from '../../decorators/agency.js';
import { requirePermissionForAll } from '../../decorators/auth.js';
import { type FieldErrors, text } from '../../forms/fields.js';
import { countUnassignedOpenTickets } from '../../repositories/automation.js';
import { findLastPriorityChange, listPriorities } from '../../repositories/priorities.js';
import {
  findLastSettingChange,
  getAgencyName,
  getBillingCoordinatorId,
  getEscalationDesk,
  getTimeZone,
  SETTING_KEYS,
} from '../../repositories/settings.js';
import { findStaffById, listActiveStaff, searchStaff } from '../../repositories/staff.js';
import {
  saveAgency,
  saveBillingCoordinator,
  saveEscalationDesk,
  savePriorityTargets,
} from '../../settings/service.js';
import {
  type AgencyForm,
  type EscalationDeskForm,
  hasTarget,
  TARGET_UNITS,
  type TargetForm,
  targetFormOf,
  validateAgency,
  validateEscalationDesk,
  validateTargets,
} from '../../settings/validate.js';
import { changeOf } from '../../web/change-context.js';

type Section = 'agency' | 'coordinator' | 'targets' | 'desk';
const SECTIONS: readonly Section[] = ['agency', 'coordinator', 'targets', 'desk'];

/** What one section shows when it comes back with errors: the input as typed. */
interface Rejected {
  section: Section;
  form: object;
  errors: FieldErrors;
}

const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

/**
 * The Settings page: four sections, each its own form, so an error in one
 * never loses what was typed in another and "last changed" is per section.
 * Saving answers 303 back to the section; an error answers 422 with the page.
 */
const settings: FastifyPluginAsync = async (app) => {
  requirePermissionForAll(app, 'manage_settings');

  const render = async (reply: FastifyReply, rejected: Rejected | null) => {
    const query = reply.request.query as Record<string, unknown>;
    const staffQuery = text(query.staff_q).slice(0, 100);
    const [
      agencyName,
      timeZone,
      coordinatorId,
      desk,
      priorities,
      waiting,
      options,
      agencyChange,
      coordinatorChange,
      deskChange,
      targetsChange,
    ] = await Promise.all([
      getAgencyName(app.db),
      getTimeZone(app.db),
      getBillingCoordinatorId(app.db),
      getEscalationDesk(app.db),
      listPriorities(app.db),
      countUnassignedOpenTickets(app.db),
      staffQuery
        ? searchStaff(app.db, { query: staffQuery, status: 'active' })
        : listActiveStaff(app.db),
      findLastSettingChange(app.db, [SETTING_KEYS.agencyName, SETTING_KEYS.timeZone]),
      findLastSettingChange(app.db, [SETTING_KEYS.billingCoordinatorId]),
      findLastSettingChange(app.db, [
        SETTING_KEYS.escalationDeskName,
        SETTING_KEYS.escalationDeskEmail,
      ]),
      findLastPriorityChange(app.db),
    ]);
    const coordinator = coordinatorId === null ? null : await findStaffById(app.db, coordinatorId);
    const formOf = <T>(section: Section, current: T): T =>
      rejected?.section === section ? (rejected.form as T) : current;
    const errorsOf = (section: Section) =>
      rejected?.section === section ? rejected.errors : ({} as FieldErrors);
    const saved = SECTIONS.find((s) => s === query.saved) ?? null;

    return reply.code(rejected ? 422 : 200).page('settings/index', {
      title: 'Settings',
      saved,
      unchanged: query.unchanged === '1',
      waiting,
      agency: {
        form: formOf<AgencyForm>('agency', { agency_name: agencyName, time_zone: timeZone ?? '' }),
        errors: errorsOf('agency'),
        serverTimeZone: app.config.timeZone,
        timeZones: TIME_ZONES,
        change: agencyChange,
      },
      coordinator: {
        selected: formOf<{ billing_coordinator_id: string }>('coordinator', {
          billing_coordinator_id: coordinatorId === null ? '' : String(coordinatorId),
        }).billing_coordinator_id,
        current: coordinator ? { ...coordinator, isActive: coordinator.active === 1 } : null,
        // The current coordinator stays choosable whatever the search shows.
        options:
          coordinator && coordinator.active === 1 && !options.some((o) => o.id === coordinator.id)
            ? [{ ...coordinator, role_name: '' }, ...options]
            : options,
        staffQuery,
        errors: errorsOf('coordinator'),
        change: coordinatorChange,
      },
      targets: {
        priorities: priorities.map((p) => ({ ...p, hasTarget: hasTarget(p) })),
        form: formOf<Record<string, TargetForm>>(
          'targets',
          Object.fromEntries(priorities.map((p) => [p.key, targetFormOf(p)])),
        ),
        units: TARGET_UNITS.map((u) => u.key),
        errors: errorsOf('targets'),
        change: targetsChange,
      },
      desk: {
        form: formOf<EscalationDeskForm>('desk', {
          escalation_desk_name: desk?.name ?? '',
          escalation_desk_email: desk?.email ?? '',
        }),
        errors: errorsOf('desk'),
        change: deskChange,
      },
    });
  };

  const done = (reply: FastifyReply, section: Section, changed: boolean) =>
    reply.redirect(`/settings?saved=${section}${changed ? '' : '&unchanged=1'}#${section}`, 303);

  /** One section's save: 422 with the page and what was typed, or saved and back to it. */
  const saveSection = async <V>(
    reply: FastifyReply,
    section: Section,
    form: object,
    result: { ok: true; value: V } | { ok: false; errors: FieldErrors },
    save: (value: V) => Promise<boolean>,
  ) => {
    if (!result.ok) return render(reply, { section, form, errors: result.errors });
    return done(reply, section, await save(result.value));
  };

  app.get('/settings', async (_request, reply) => render(reply, null));

  app.post('/settings/agency', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const form: AgencyForm = {
      agency_name: text(body.agency_name),
      time_zone: text(body.time_zone),
    };
    return saveSection(reply, 'agency', form, validateAgency(form), async (value) => {
      const changed = await saveAgency(app.db, { value, change: changeOf(request) });
      // Every page shows the name and dates in the zone: read them again now, not per page.
      if (changed) await reloadAgencySettings(app);
      return changed;
    });
  });

  app.post('/settings/billing-coordinator', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const raw = text(body.billing_coordinator_id);
    let coordinatorId: number | null = null;
    if (raw !== '') {
      const staff = /^\d{1,9}$/.test(raw) ? await findStaffById(app.db, Number(raw)) : undefined;
      if (staff?.active !== 1) {
        return render(reply, {
          section: 'coordinator',
          form: { billing_coordinator_id: raw },
          errors: { billing_coordinator_id: 'Choose someone on the list of active staff.' },
        });
      }
      coordinatorId = staff.id;
    }
    const changed = await saveBillingCoordinator(app.db, {
      value: coordinatorId,
      change: changeOf(request),
    });
    return done(reply, 'coordinator', changed);
  });

  app.post('/settings/priorities', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const priorities = await listPriorities(app.db);
    const form: Record<string, TargetForm> = Object.fromEntries(
      priorities.map((p) => [
        p.key,
        {
          amount: text(body[`amount_${p.key}`]),
          unit: text(body[`unit_${p.key}`]),
          label: text(body[`label_${p.key}`]),
        },
      ]),
    );
    return saveSection(reply, 'targets', form, validateTargets(priorities, form), (value) =>
      savePriorityTargets(app.db, { value, change: changeOf(request) }),
    );
  });

  app.post('/settings/escalation-desk', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const form: EscalationDeskForm = {
      escalation_desk_name: text(body.escalation_desk_name),
      escalation_desk_email: text(body.escalation_desk_email),
    };
    return saveSection(reply, 'desk', form, validateEscalationDesk(form), (value) =>
      saveEscalationDesk(app.db, { value, change: changeOf(request) }),
    );
  });
};

export default settings;
