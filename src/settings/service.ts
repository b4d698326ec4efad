import { auditChange, type ChangeContext } from '../change-context.js';
import type { Db } from '../db/index.js';
import { listPriorities, updatePriorityTarget } from '../repositories/priorities.js';
import {
  getAgencyName,
  getBillingCoordinatorId,
  getEscalationDesk,
  getTimeZone,
  SETTING_KEYS,
  setSetting,
} from '../repositories/settings.js';
import { findStaffById } from '../repositories/staff.js';
import { describeMinutes, type ValidAgency, type ValidTarget } from './validate.js';

/**
 * Each save writes only what changed, with who and when, and one audit row in
 * the same transaction saying what changed from what. Settings hold no PHI, so
 * the old and new values may be written out. Returns false when nothing changed.
 */

const quote = (value: string | null) => (value === null ? 'none' : `“${value}”`);

/** What every settings save is given: the new value and who is saving it. */
export interface SettingsChange<T> {
  value: T;
  change: ChangeContext;
}

async function audit(trx: Db, change: ChangeContext, action: string, changes: string[]) {
  await auditChange(trx, change, { action, detail: changes.join('; ') });
}

export async function saveAgency(
  db: Db,
  { value, change }: SettingsChange<ValidAgency>,
): Promise<boolean> {
  const { actor, now } = change;
  return db.transaction().execute(async (trx) => {
    const staffId = actor.id;
    const changes: string[] = [];
    const name = await getAgencyName(trx);
    if (name !== value.name) {
      await setSetting(trx, SETTING_KEYS.agencyName, value.name, staffId, now);
      changes.push(`Agency name ${quote(name)} → ${quote(value.name)}`);
    }
    const timeZone = await getTimeZone(trx);
    if (timeZone !== value.timeZone) {
      await setSetting(trx, SETTING_KEYS.timeZone, value.timeZone, staffId, now);
      const show = (zone: string | null) => (zone === null ? 'the server’s (TZ)' : quote(zone));
      changes.push(`Time zone ${show(timeZone)} → ${show(value.timeZone)}`);
    }
    if (changes.length === 0) return false;
    await audit(trx, change, 'settings-changed', changes);
    return true;
  });
}

export async function saveBillingCoordinator(
  db: Db,
  { value: coordinatorId, change }: SettingsChange<number | null>,
): Promise<boolean> {
  const { actor, now } = change;
  return db.transaction().execute(async (trx) => {
    const current = await getBillingCoordinatorId(trx);
    if (current === coordinatorId) return false;
    await setSetting(trx, SETTING_KEYS.billingCoordinatorId, coordinatorId, actor.id, now);
    const who = async (id: number | null) => {
      if (id === null) return 'nobody';
      const staff = await findStaffById(trx, id);
      return staff ? `${staff.name} (${staff.username})` : `staff #${id}`;
    };
    await audit(trx, change, 'settings-changed', [
      `Billing coordinator ${await who(current)} → ${await who(coordinatorId)}`,
    ]);
    return true;
  });
}

export async function saveEscalationDesk(
  db: Db,
  { value: desk, change }: SettingsChange<{ name: string; email: string } | null>,
): Promise<boolean> {
  const { actor, now } = change;
  return db.transaction().execute(async (trx) => {
    const staffId = actor.id;
    const current = await getEscalationDesk(trx);
    const changes: string[] = [];
    const name = desk?.name ?? null;
    const email = desk?.email ?? null;
    if ((current?.name ?? null) !== name) {
      await setSetting(trx, SETTING_KEYS.escalationDeskName, name, staffId, now);
      changes.push(`Escalation desk name ${quote(current?.name ?? null)} → ${quote(name)}`);
    }
    if ((current?.email ?? null) !== email) {
      await setSetting(trx, SETTING_KEYS.escalationDeskEmail, email, staffId, now);
      changes.push(`Escalation desk email ${quote(current?.email ?? null)} → ${quote(email)}`);
    }
    if (changes.length === 0) return false;
    await audit(trx, change, 'settings-changed', changes);
    return true;
  });
}

export async function savePriorityTargets(
  db: Db,
  { value: targets, change }: SettingsChange<readonly ValidTarget[]>,
): Promise<boolean> {
  const { actor, now } = change;
  return db.transaction().execute(async (trx) => {
    const priorities = await listPriorities(trx);
    const changes: string[] = [];
    for (const target of targets) {
      const priority = priorities.find((p) => p.id === target.priorityId);
      if (!priority) continue;
      const minutesChanged = priority.response_minutes !== target.responseMinutes;
      const labelChanged = priority.target_label !== target.label;
      if (!minutesChanged && !labelChanged) continue;
      await updatePriorityTarget(trx, priority.id, target, actor.id, now);
      const parts = [
        minutesChanged
          ? `${describeMinutes(priority.response_minutes)} → ${describeMinutes(target.responseMinutes)}`
          : '',
        labelChanged ? `label ${quote(priority.target_label)} → ${quote(target.label)}` : '',
      ].filter(Boolean);
      changes.push(`${priority.name}: ${parts.join(', ')}`);
    }
    if (changes.length === 0) return false;
    await audit(trx, change, 'priority-targets-changed', changes);
    return true;
  });
}
