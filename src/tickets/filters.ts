import type { TicketStatus } from '../db/schema.js';
import { isStatus, OPEN_STATUSES } from './model.js';
import { cleanSearchText } from './search-words.js';

/** 'sent': tickets sent to the escalation desk, External support's only list. */
export type ListScope = 'all' | 'assigned' | 'created' | 'associated' | 'sent';
export type DueFilter = '' | 'overdue' | 'today' | 'week' | 'none';
export type SortKey = 'updated' | 'due' | 'priority' | 'created';

export interface TicketFilters {
  status: 'open' | 'any' | TicketStatus;
  priority: string;
  /** A staff id, 'none' for unassigned, or '' for anyone. */
  assignee: string;
  due: DueFilter;
  q: string;
  sort: SortKey;
  page: number;
  /** Keyset paging: the cursor of the row the page starts after, or ends before (ticket-keyset.ts). */
  after: string;
  before: string;
}

export interface DueDates {
  today: string;
  endOfWeek: string;
}

/** Tickets on a page of a list. */
export const PAGE_SIZE = 50;

/** True when the filters let only open tickets through, whatever else they say. */
export function onlyOpen(filters: TicketFilters): boolean {
  return (
    filters.status === 'open' ||
    (OPEN_STATUSES as readonly string[]).includes(filters.status) ||
    filters.due === 'overdue'
  );
}

const DUE: readonly DueFilter[] = ['', 'overdue', 'today', 'week', 'none'];
const SORTS: readonly SortKey[] = ['updated', 'due', 'priority', 'created'];
export const MY_TABS: readonly { key: Exclude<ListScope, 'all'>; label: string }[] = [
  { key: 'assigned', label: 'Assigned to me' },
  { key: 'created', label: 'Created by me' },
  { key: 'associated', label: 'Associated with me' },
];

function one(value: unknown): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : '';
}

/** Filters live in the query string, so a filtered list can be bookmarked. Unknown values fall back. */
/** A list with nothing chosen: open tickets by last update, first page. */
export const DEFAULT_FILTERS: Readonly<TicketFilters> = {
  status: 'open',
  priority: '',
  assignee: '',
  due: '',
  q: '',
  sort: 'updated',
  page: 1,
  after: '',
  before: '',
};

export function parseFilters(query: Record<string, unknown>): TicketFilters {
  const status = one(query.status);
  const due = one(query.due) as DueFilter;
  const sort = one(query.sort) as SortKey;
  const assignee = one(query.assignee);
  const page = Number.parseInt(one(query.page), 10);
  return {
    status: status === 'any' || isStatus(status) ? status : 'open',
    priority: /^[a-z_]{1,20}$/.test(one(query.priority)) ? one(query.priority) : '',
    assignee: assignee === 'none' || /^\d{1,9}$/.test(assignee) ? assignee : '',
    due: DUE.includes(due) ? due : '',
    q: cleanSearchText(one(query.q)).slice(0, 100),
    sort: SORTS.includes(sort) ? sort : 'updated',
    page: Number.isFinite(page) && page > 0 && page < 100_000 ? page : 1,
    // Checked against the sort when used (ticket-keyset.ts); here only kept short and plain.
    after: cursorText(one(query.after)),
    before: cursorText(one(query.before)),
  };
}

function cursorText(value: string): string {
  return /^[0-9A-Za-z:.~-]{1,80}$/.test(value) ? value : '';
}

export function parseTab(query: Record<string, unknown>): Exclude<ListScope, 'all'> {
  const tab = one(query.tab);
  return MY_TABS.find((t) => t.key === tab)?.key ?? 'assigned';
}

/** The query string for these filters with some replaced; defaults are left out. */
export function filterQuery(
  filters: TicketFilters,
  replace: Partial<TicketFilters> & { tab?: string } = {},
): string {
  const merged: Record<string, string | number> = { ...filters, ...replace };
  const defaults: Record<string, string | number> = { ...DEFAULT_FILTERS, tab: '' };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) {
    if (value !== undefined && String(value) !== String(defaults[key] ?? '')) {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** How many filters narrow the list (sorting and paging do not): the phone's "Filters (n)". */
export function countActiveFilters(filters: TicketFilters): number {
  return [
    filters.q !== '',
    filters.status !== 'open',
    filters.priority !== '',
    filters.assignee !== '',
    filters.due !== '',
  ].filter(Boolean).length;
}
