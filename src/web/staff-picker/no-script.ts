import type { FastifyReply } from 'fastify';
import type { PickerStep } from '../../staff/picker.js';
import type { StaffDirectory } from '../../staff/search.js';

/**
 * The staff picker without JavaScript. Its Search and Pick list buttons submit
 * the form they sit in, so the form's own POST handler sees them first: it
 * answers with the same form (search) or the pick-list page (pick list) and
 * saves nothing. The pick list carries every field typed so far and posts them
 * back with the choice.
 */
export function pickerStep(body: Record<string, unknown>, field: string): PickerStep | null {
  // The pick-list page's Filter button comes back with `_return` too: it filters.
  if (body[`${field}_picklist`] !== undefined) return 'pick-list';
  if (body[`${field}_search`] !== undefined) return 'search';
  if (body[`${field}_return`] !== undefined) return 'picked';
  return null;
}

/** The text a form posted, or '' (a repeated field counts by its last value). */
export function posted(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : '';
}

/** Everything the form posted except the token, the picker's own buttons and the field being chosen. */
function carriedFields(body: Record<string, unknown>, field: string): [string, string][] {
  const own = new Set([
    '_csrf',
    field,
    `${field}_search`,
    `${field}_picklist`,
    `${field}_return`,
    `${field}_filter`,
  ]);
  const carried: [string, string][] = [];
  for (const [name, value] of Object.entries(body)) {
    if (own.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') carried.push([name, item]);
    }
  }
  return carried;
}

export interface PickListPage {
  /** Where the form posts: the pick list posts back there. */
  action: string;
  field: string;
  /** The field's label, e.g. "Assigned To". */
  label: string;
  first: 'self' | 'choose';
  title: string;
}

export function renderPickListPage(
  reply: FastifyReply,
  directory: StaffDirectory,
  body: Record<string, unknown>,
  page: PickListPage,
) {
  const filter = posted(body, `${page.field}_filter`).trim().slice(0, 100);
  const entries = filter ? directory.filterList(filter) : directory.entries;
  return reply.page('staff-picker/pick-list', {
    title: page.title,
    action: page.action,
    field: page.field,
    id: `${page.field}-pick`,
    label: page.label,
    first: page.first,
    carried: carriedFields(body, page.field),
    current: posted(body, page.field),
    filter,
    groups: directory.byDepartment(entries),
    count: entries.length,
    total: directory.entries.length,
    shown: describeShown(filter, entries.length, directory.entries.length),
  });
}

/** "3 of 40 shown." when filtered, else how many people there are. */
function describeShown(filter: string, count: number, total: number): string {
  if (filter) return `${count} of ${total} shown.`;
  return total === 1 ? '1 person.' : `${total} people.`;
}
