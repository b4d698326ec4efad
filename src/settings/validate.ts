import type { Priority } from '../db/schema.js';
import type { FieldErrors } from '../forms/fields.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const AGENCY_NAME_MAX = 80;
export const DESK_NAME_MAX = 100;
export const TARGET_LABEL_MAX = 60;
/** No response target is longer than a year. */
const TARGET_MAX_MINUTES = 365 * 24 * 60;

export interface AgencyForm {
  agency_name: string;
  time_zone: string;
}

export interface ValidAgency {
  name: string;
  /** Null: use the server's time zone (TZ). */
  timeZone: string | null;
}

/**
 * An IANA time zone name in its canonical spelling ("america/chicago" becomes
 * "America/Chicago"), or null for anything Intl does not know.
 */
export function canonicalTimeZone(value: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function validateAgency(
  form: AgencyForm,
): { ok: true; value: ValidAgency } | { ok: false; errors: FieldErrors<keyof AgencyForm> } {
  const errors: FieldErrors<keyof AgencyForm> = {};
  if (!form.agency_name) errors.agency_name = 'Enter the agency’s name, as staff know it.';
  else if ([...form.agency_name].length > AGENCY_NAME_MAX)
    errors.agency_name = `Use at most ${AGENCY_NAME_MAX} characters.`;
  else if (CONTROL.test(form.agency_name))
    errors.agency_name = 'Use letters, spaces and punctuation only.';

  let timeZone: string | null = null;
  if (form.time_zone) {
    timeZone = canonicalTimeZone(form.time_zone);
    if (!timeZone)
      errors.time_zone =
        'Enter a time zone from the list, such as America/Chicago (Region/City, as in the IANA time zone database).';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name: form.agency_name, timeZone } };
}

export interface EscalationDeskForm {
  escalation_desk_name: string;
  escalation_desk_email: string;
}

/** Both or neither: escalation needs an address, and the address needs a name to show. */
export function validateEscalationDesk(
  form: EscalationDeskForm,
):
  | { ok: true; value: { name: string; email: string } | null }
  | { ok: false; errors: FieldErrors<keyof EscalationDeskForm> } {
  const errors: FieldErrors<keyof EscalationDeskForm> = {};
  const { escalation_desk_name: name, escalation_desk_email: email } = form;
  if (!name && !email) return { ok: true, value: null };

  if (!name) errors.escalation_desk_name = 'Enter the desk’s name, such as “Procentive Support”.';
  else if ([...name].length > DESK_NAME_MAX)
    errors.escalation_desk_name = `Use at most ${DESK_NAME_MAX} characters.`;
  else if (CONTROL.test(name))
    errors.escalation_desk_name = 'Use letters, spaces and punctuation only.';

  if (!email) errors.escalation_desk_email = 'Enter the address tickets are sent to.';
  else if (email.length > 254 || !EMAIL.test(email) || CONTROL.test(email))
    errors.escalation_desk_email = 'Enter an email address such as support@vendor.example.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { name, email } };
}

export const TARGET_UNITS = [
  { key: 'minutes', minutes: 1 },
  { key: 'hours', minutes: 60 },
  { key: 'days', minutes: 24 * 60 },
  { key: 'weeks', minutes: 7 * 24 * 60 },
] as const;

/** One priority's row of the form, as typed. None has a label only. */
export interface TargetForm {
  amount: string;
  unit: string;
  label: string;
}

export interface ValidTarget {
  priorityId: number;
  responseMinutes: number | null;
  label: string;
}

/** None is answered after every ticket with a priority: it has no target to set. */
export function hasTarget(priority: Pick<Priority, 'key'>): boolean {
  return priority.key !== 'none';
}

/** A number of minutes as amount and unit: the largest unit that divides it exactly. */
function splitMinutes(minutes: number): { amount: number; unit: string } {
  const unit =
    [...TARGET_UNITS].reverse().find((u) => minutes % u.minutes === 0) ?? TARGET_UNITS[0];
  return { amount: minutes / unit.minutes, unit: unit.key };
}

/** The form's row for a priority as stored. */
export function targetFormOf(priority: Priority): TargetForm {
  if (priority.response_minutes === null) {
    return { amount: '', unit: 'hours', label: priority.target_label };
  }
  const { amount, unit } = splitMinutes(priority.response_minutes);
  return { amount: String(amount), unit, label: priority.target_label };
}

/** "2 days", "90 minutes", "1 week": how a target reads in messages and the audit log. */
export function describeMinutes(minutes: number | null): string {
  if (minutes === null) return 'no target';
  const { amount, unit } = splitMinutes(minutes);
  return `${amount} ${amount === 1 ? unit.replace(/s$/, '') : unit}`;
}

/**
 * Each priority with a target needs a whole-number amount, a unit and a label;
 * None needs its label only. A more urgent priority may not be given longer
 * than a less urgent one, or the list would contradict itself.
 */
export function validateTargets(
  priorities: readonly Priority[],
  form: Record<string, TargetForm>,
): { ok: true; value: ValidTarget[] } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const value: ValidTarget[] = [];
  let lessUrgent: { name: string; minutes: number } | null = null;
  for (const priority of [...priorities].sort((a, b) => a.rank - b.rank)) {
    const row = form[priority.key] ?? { amount: '', unit: '', label: '' };
    const amountField = `amount_${priority.key}`;
    const labelField = `label_${priority.key}`;

    if (!row.label) errors[labelField] = `Enter what staff see beside ${priority.name}.`;
    else if ([...row.label].length > TARGET_LABEL_MAX)
      errors[labelField] = `Use at most ${TARGET_LABEL_MAX} characters.`;
    else if (CONTROL.test(row.label))
      errors[labelField] = 'Use letters, spaces and punctuation only.';

    if (!hasTarget(priority)) {
      value.push({ priorityId: priority.id, responseMinutes: null, label: row.label });
      continue;
    }
    const unit = TARGET_UNITS.find((u) => u.key === row.unit);
    let minutes: number | null = null;
    if (!/^\d{1,6}$/.test(row.amount) || Number(row.amount) < 1)
      errors[amountField] = `Enter ${priority.name}’s target as a whole number, such as 2.`;
    else if (!unit) errors[amountField] = 'Choose minutes, hours, days or weeks.';
    else {
      minutes = Number(row.amount) * unit.minutes;
      if (minutes > TARGET_MAX_MINUTES)
        errors[amountField] = 'Keep the target within a year (52 weeks).';
      else if (lessUrgent && minutes > lessUrgent.minutes)
        errors[amountField] =
          `${priority.name} is more urgent than ${lessUrgent.name}, so its target cannot be longer than ${describeMinutes(lessUrgent.minutes)}.`;
    }
    if (minutes !== null) lessUrgent = { name: priority.name, minutes };
    value.push({ priorityId: priority.id, responseMinutes: minutes, label: row.label });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value };
}
