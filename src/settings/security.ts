import type { FieldErrors } from '../forms/fields.js';
import {
  MAX_AUDIT_RETENTION_YEARS,
  MIN_AUDIT_RETENTION_YEARS,
  SECURITY_KEYS,
  type SecuritySettings,
} from '../repositories/security-settings.js';
import { validateTitlePatterns } from '../tickets/title-guard.js';

/** The security settings form as typed, kept to show back beside any message. */
export interface SecurityForm {
  requireTwoFactor: boolean;
  titlePatterns: string;
  auditRetentionYears: string;
}

export type SecurityField = 'titlePatterns' | 'auditRetentionYears';

/** One setting that differs from what is stored, with its audit wording (no values of PHI). */
export interface SettingChange {
  key: string;
  value: unknown;
  detail: string;
}

export function readSecurityForm(body: Record<string, unknown>): SecurityForm {
  return {
    requireTwoFactor: body.require_two_factor === 'on',
    titlePatterns: typeof body.title_patterns === 'string' ? body.title_patterns : '',
    auditRetentionYears:
      typeof body.audit_retention_years === 'string' ? body.audit_retention_years.trim() : '',
  };
}

/** Checks the form: the messages per field, or the settings it asks for. */
export function validateSecurityForm(
  form: SecurityForm,
): { errors: FieldErrors<SecurityField> } | { settings: SecuritySettings } {
  const errors: FieldErrors<SecurityField> = {};
  const patterns = validateTitlePatterns(form.titlePatterns);
  if (patterns.errors.length > 0) errors.titlePatterns = patterns.errors.join(' ');
  const years = Number(form.auditRetentionYears);
  if (
    !/^\d{1,3}$/.test(form.auditRetentionYears) ||
    years < MIN_AUDIT_RETENTION_YEARS ||
    years > MAX_AUDIT_RETENTION_YEARS
  ) {
    errors.auditRetentionYears = `Enter a whole number of years from ${MIN_AUDIT_RETENTION_YEARS} to ${MAX_AUDIT_RETENTION_YEARS}.`;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    settings: {
      requireTwoFactor: form.requireTwoFactor,
      titlePatterns: patterns.patterns,
      auditRetentionYears: years,
    },
  };
}

/** What differs between the stored settings and the wanted ones, each worded for the audit log. */
export function securityChanges(
  current: SecuritySettings,
  wanted: SecuritySettings,
): SettingChange[] {
  const changes: SettingChange[] = [];
  if (wanted.requireTwoFactor !== current.requireTwoFactor) {
    const word = (on: boolean) => (on ? 'on' : 'off');
    changes.push({
      key: SECURITY_KEYS.requireTwoFactor,
      value: wanted.requireTwoFactor,
      detail: `${SECURITY_KEYS.requireTwoFactor}: ${word(current.requireTwoFactor)} → ${word(wanted.requireTwoFactor)}`,
    });
  }
  if (wanted.titlePatterns.join('\n') !== current.titlePatterns.join('\n')) {
    changes.push({
      key: SECURITY_KEYS.titlePatterns,
      value: wanted.titlePatterns,
      detail: `${SECURITY_KEYS.titlePatterns}: ${current.titlePatterns.length} → ${wanted.titlePatterns.length} patterns`,
    });
  }
  if (wanted.auditRetentionYears !== current.auditRetentionYears) {
    changes.push({
      key: SECURITY_KEYS.auditRetentionYears,
      value: wanted.auditRetentionYears,
      detail: `${SECURITY_KEYS.auditRetentionYears}: ${current.auditRetentionYears} → ${wanted.auditRetentionYears}`,
    });
  }
  return changes;
}
