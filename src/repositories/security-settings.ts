import { keptWhileUnchanged } from '../db/dialect/change-marks.js';
import type { Db } from '../db/index.js';
import { getSetting } from './settings.js';

/** The settings the Security page (/settings/security) edits, and their defaults. */
export const SECURITY_KEYS = {
  requireTwoFactor: 'require_two_factor',
  titlePatterns: 'title_patterns',
  auditRetentionYears: 'audit_retention_years',
} as const;

/** HIPAA keeps security documentation six years (45 CFR 164.316(b)(2)(i)); the log follows. */
export const DEFAULT_AUDIT_RETENTION_YEARS = 6;
export const MIN_AUDIT_RETENTION_YEARS = 6;
export const MAX_AUDIT_RETENTION_YEARS = 100;

export interface SecuritySettings {
  requireTwoFactor: boolean;
  titlePatterns: string[];
  auditRetentionYears: number;
}

/** Asked on every signed-in request (src/auth/two-factor.ts): kept while nothing is saved. */
export const requiresTwoFactor: (db: Db) => Promise<boolean> = keptWhileUnchanged((db) =>
  getSetting(db, SECURITY_KEYS.requireTwoFactor, false),
);

/** The agency's own client/record number formats, for checkTitle's `patterns`. */
export function getTitlePatterns(db: Db): Promise<string[]> {
  return getSetting<string[]>(db, SECURITY_KEYS.titlePatterns, []);
}

export function getAuditRetentionYears(db: Db): Promise<number> {
  return getSetting(db, SECURITY_KEYS.auditRetentionYears, DEFAULT_AUDIT_RETENTION_YEARS);
}

export async function getSecuritySettings(db: Db): Promise<SecuritySettings> {
  return {
    requireTwoFactor: await requiresTwoFactor(db),
    titlePatterns: await getTitlePatterns(db),
    auditRetentionYears: await getAuditRetentionYears(db),
  };
}
