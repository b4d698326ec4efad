/**
 * What a role may do. The keys are stored in role_permissions; the labels are
 * what administrators read beside each checkbox.
 */
export const PERMISSIONS = [
  {
    key: 'manage_staff',
    label: 'Manage staff and roles',
    hint: 'Add, change and deactivate staff, make password links, edit roles.',
  },
  {
    key: 'manage_settings',
    label: 'Manage settings',
    hint: 'Change the agency’s settings, such as priorities and the escalation desk.',
  },
  {
    key: 'see_all_tickets',
    label: 'See all tickets',
    hint: 'Not only their own and the ones they are associated with.',
  },
  {
    key: 'send_to_desk',
    label: 'Send tickets to the escalation desk',
    hint: 'The champions: others assign their ticket to one of them.',
  },
  {
    key: 'merge_tickets',
    label: 'Merge tickets',
    hint: 'Merge duplicates into one ticket that carries on (only tickets they can see).',
  },
  {
    key: 'view_audit_log',
    label: 'View the audit log',
    hint: 'Who signed in, read or changed what, and when.',
  },
  {
    key: 'manage_api_tokens',
    label: 'Manage API tokens',
    hint: 'Tokens for automated processes that open tickets.',
  },
  {
    key: 'see_reports',
    label: 'See reports',
    hint: 'Charts of open work, response targets, turnaround and load (titles only).',
  },
] as const;

export type Permission = (typeof PERMISSIONS)[number]['key'];

const KEYS: ReadonlySet<string> = new Set(PERMISSIONS.map((p) => p.key));

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && KEYS.has(value);
}

export function permissionLabel(key: string): string {
  return PERMISSIONS.find((p) => p.key === key)?.label ?? key;
}

/** The permissions in a form's checkbox values, in the list's order, unknown ones dropped. */
export function permissionsFromForm(value: unknown): Permission[] {
  const values = new Set(Array.isArray(value) ? value : [value]);
  return PERMISSIONS.map((p) => p.key).filter((key) => values.has(key));
}
