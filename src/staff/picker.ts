import type { Db } from '../db/index.js';
import { findStaffWithRole } from '../repositories/staff.js';
import { type DirectoryEntry, SEARCH_LIMIT, type StaffDirectory, staffLabel } from './search.js';

/**
 * The staff picker: a drop-down of people, a quick search that fills it and a
 * pick list. One control for Assigned To, associated staff and anywhere else a
 * person is chosen; these are the values its templates render.
 */
export interface PickerOption {
  value: string;
  label: string;
  selected: boolean;
  /** Found by the search just made (not [self], the placeholder or the current choice). */
  match?: boolean;
}

export interface PickerState {
  /** What is in the quick-search field. */
  q: string;
  options: PickerOption[];
  /** Said beside the field after a search ('' when there is nothing to say). */
  message: string;
  /** After a search without JavaScript, the drop-down takes focus, ready to pick. */
  focus: boolean;
}

/** What a picker button asked for, when the form came back through one of them. */
export type PickerStep = 'search' | 'pick-list' | 'picked';

export interface PickerSpec {
  /** The current choice: 'self', a staff id, or '' for none. */
  selected: string;
  /** Offer [self] first (Assigned To). */
  self: boolean;
  /** A first option with the value '' (e.g. "Choose a person"), when there is no [self]. */
  placeholder?: string;
  /** The quick-search text. */
  q?: string;
  /** 'search' fills the drop-down with the matches; 'picked' came back from the pick list. */
  step?: PickerStep | null;
  /** People offered before any search (the champions, for staff who cannot send to the desk). */
  suggested?: readonly number[];
}

const QUERY_SHOWN_MAX = 100;

export function searchMessage(q: string, shown: number, more: boolean): string {
  const typed = q.trim().slice(0, QUERY_SHOWN_MAX);
  if (!typed) return 'Type part of a name, then press Tab or Search.';
  if (shown === 0) return `No staff match “${typed}”.`;
  if (more) {
    return `More than ${shown} people match “${typed}”; the first ${shown} are in the drop-down, the first of them chosen. Type more of the name to narrow it.`;
  }
  if (shown === 1) return `1 person matches “${typed}”, now chosen in the drop-down.`;
  return `${shown} people match “${typed}”; the first is chosen: choose another from the drop-down if it is not them.`;
}

/** A staff id as a form sends it, or null. */
export function staffIdOf(value: string): number | null {
  return /^\d{1,9}$/.test(value) ? Number(value) : null;
}

/** The label of someone who cannot be chosen now (left, or external): kept as the current choice. */
async function currentOption(
  db: Db,
  directory: StaffDirectory,
  id: number,
): Promise<{ label: string } | undefined> {
  const active = directory.find(id);
  if (active) return active;
  const gone = await findStaffWithRole(db, id);
  if (!gone) return undefined;
  const label = staffLabel({
    name: gone.name,
    roleName: gone.role_name,
    department: gone.department,
  });
  return { label: gone.active === 1 ? label : `${label} (inactive)` };
}

/**
 * The drop-down's options: [self] or a placeholder, the current choice (kept
 * whatever the search finds), then the matches, at most SEARCH_LIMIT of them.
 */
export async function buildPicker(
  db: Db,
  directory: StaffDirectory,
  spec: PickerSpec,
): Promise<PickerState> {
  const q = spec.q ?? '';
  const selected = spec.self && spec.selected === '' ? 'self' : spec.selected;
  const options: PickerOption[] = [];
  if (spec.self) options.push({ value: 'self', label: '[self]', selected: selected === 'self' });
  else if (spec.placeholder !== undefined) {
    options.push({ value: '', label: spec.placeholder, selected: selected === '' });
  }

  const currentId = staffIdOf(selected);
  const current = currentId === null ? undefined : await currentOption(db, directory, currentId);
  if (current) options.push({ value: selected, label: current.label, selected: true });

  let message = spec.step === 'picked' ? 'Chosen from the pick list.' : '';
  if (spec.step !== 'search') {
    for (const id of spec.suggested ?? []) {
      const entry = directory.find(id);
      if (entry && id !== currentId)
        options.push({ value: String(id), label: entry.label, selected: false });
    }
  }
  if (spec.step === 'search') {
    const result = directory.search(q, SEARCH_LIMIT);
    message = searchMessage(q, result.matches.length, result.more);
    // The first match is chosen: a search followed by Save means that person, not [self].
    const [first] = result.matches;
    if (first) {
      for (const option of options) option.selected = option.value === String(first.id);
    }
    for (const m of result.matches) {
      if (m.id !== currentId) options.push(optionOf(m, m === first));
    }
  }
  return { q, options, message, focus: spec.step === 'search' || spec.step === 'picked' };
}

function optionOf(entry: DirectoryEntry, selected: boolean): PickerOption {
  return { value: String(entry.id), label: entry.label, selected, match: true };
}
