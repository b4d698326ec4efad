import type { StaffOption } from '../repositories/staff.js';

/**
 * Letters that Unicode does not decompose into a base letter and a mark. The
 * pick list's filter in the browser folds with this same table: the dialog
 * carries it as data (`data-fold`), so the two cannot drift apart.
 */
export const UNDECOMPOSED: Readonly<Record<string, string>> = {
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ı: 'i',
};

/**
 * Case and accents fall away: "José" and "JOSE" both become "jose". Lower-case
 * first, then NFD splits "é" into "e" and a combining mark, which is dropped.
 */
const UNDECOMPOSED_LETTER = new RegExp(`[${Object.keys(UNDECOMPOSED).join('')}]`, 'g');

export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(UNDECOMPOSED_LETTER, (c) => UNDECOMPOSED[c] ?? c);
}

/** The words of a name or query: letters and digits, folded; anything else separates. */
export function searchWords(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

export const SEARCH_LIMIT = 20;
/** Searches answered and kept per directory (see StaffDirectory.answered). */
const KEPT_SEARCHES = 500;
/** Longer queries are cut: nobody's name needs more. */
const QUERY_MAX_CHARS = 100;
const QUERY_MAX_WORDS = 6;

export interface DirectoryEntry {
  id: number;
  name: string;
  username: string;
  roleName: string;
  department: string | null;
  /** What a drop-down shows: enough to tell two people of one name apart. */
  label: string;
  /** " word word username": each word preceded by a space, so " w" finds a word start. */
  haystack: string;
  /**
   * What the pick list's filter looks through: the name and the department.
   * Not the username: the pick list goes to every browser whole, and sign-in
   * names need not travel that far.
   */
  listKey: string;
}

export interface SearchResult {
  /** The best matches, at most the limit asked for (kept and shared: never changed). */
  matches: readonly DirectoryEntry[];
  /** More people matched than `matches` holds. */
  more: boolean;
}

export interface DepartmentGroup {
  department: string | null;
  entries: DirectoryEntry[];
}

export function staffLabel(s: { name: string; roleName: string; department: string | null }) {
  return [s.name, s.roleName, s.department].filter(Boolean).join(' · ');
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * The active staff, folded once for matching. Searching scans one string of
 * every folded name in memory: no query, no index to keep.
 */
export class StaffDirectory {
  readonly entries: readonly DirectoryEntry[];
  readonly ids: ReadonlySet<number>;
  private readonly byId: Map<number, DirectoryEntry>;
  /** Every haystack, one per line, in `entries` order: one native scan finds the candidates. */
  private readonly text: string;
  private readonly lineStarts: Int32Array;
  /**
   * Answers already given, by limit and query. The directory never changes (a
   * change to staff builds a new one), and the same few letters are typed
   * again and again; a scan of 5,000 names is about a tenth of the request.
   * Emptied whenever it reaches KEPT_SEARCHES.
   */
  private readonly answered = new Map<string, SearchResult>();

  constructor(staff: readonly StaffOption[]) {
    this.entries = staff
      .map((s) => {
        const username = s.username;
        const words = [...searchWords(s.name), ...searchWords(username)];
        const compact = fold(username).replace(/[^\p{L}\p{N}]+/gu, '');
        if (compact && !words.includes(compact)) words.push(compact);
        return {
          id: s.id,
          name: s.name,
          username,
          roleName: s.role_name,
          department: s.department,
          label: staffLabel({ name: s.name, roleName: s.role_name, department: s.department }),
          haystack: ` ${words.join(' ')}`,
          listKey: [...searchWords(s.name), ...searchWords(s.department ?? '')].join(' '),
        };
      })
      .sort(
        (a, b) =>
          collator.compare(a.name, b.name) ||
          collator.compare(a.department ?? '', b.department ?? '') ||
          a.id - b.id,
      );
    this.byId = new Map(this.entries.map((e) => [e.id, e]));
    this.ids = new Set(this.byId.keys());
    this.lineStarts = new Int32Array(this.entries.length);
    let at = 0;
    this.entries.forEach((e, i) => {
      this.lineStarts[i] = at;
      at += e.haystack.length + 1;
    });
    this.text = this.entries.map((e) => e.haystack).join('\n');
  }

  /** The entry whose line holds position `p` of `text`. */
  private entryAt(p: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= p) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  find(id: number): DirectoryEntry | undefined {
    return this.byId.get(id);
  }

  /**
   * Every query word must start a word of the name or the username (a prefix
   * match) or appear inside one (a substring match). People whose every word
   * matched as a prefix come first; each group in name order. The scan stops
   * once `limit` prefix matches and one more match are found: past that point
   * nobody could enter the list, and "more" is all there is left to say.
   */
  search(query: string, limit: number = SEARCH_LIMIT): SearchResult {
    const key = `${limit} ${query.slice(0, QUERY_MAX_CHARS)}`;
    let result = this.answered.get(key);
    if (!result) {
      result = this.scan(query, limit);
      if (this.answered.size >= KEPT_SEARCHES) this.answered.clear();
      this.answered.set(key, result);
    }
    return result;
  }

  private scan(query: string, limit: number): SearchResult {
    const words = searchWords(query.slice(0, QUERY_MAX_CHARS)).slice(0, QUERY_MAX_WORDS);
    if (words.length === 0) return { matches: [], more: false };
    const starts = words.map((w) => ` ${w}`);
    const prefix: DirectoryEntry[] = [];
    const inside: DirectoryEntry[] = [];
    // The longest word is the rarest: find the people holding it, then check the rest.
    const scan = words.reduce((a, b) => (b.length > a.length ? b : a));
    for (let p = this.text.indexOf(scan); p !== -1; ) {
      const i = this.entryAt(p);
      const entry = this.entries[i] as DirectoryEntry;
      p = i + 1 < this.lineStarts.length ? this.text.indexOf(scan, this.lineStarts[i + 1]) : -1;
      let allPrefix = true;
      let all = true;
      for (let w = 0; w < words.length; w++) {
        if (entry.haystack.includes(starts[w] as string)) continue;
        allPrefix = false;
        if (!entry.haystack.includes(words[w] as string)) {
          all = false;
          break;
        }
      }
      if (!all) continue;
      if (prefix.length >= limit) return { matches: prefix, more: true };
      (allPrefix ? prefix : inside).push(entry);
    }
    const found = [...prefix, ...inside];
    return { matches: found.slice(0, limit), more: found.length > limit };
  }

  /** The pick list's filter, as public/js/staff-picker.js applies it: every word inside the name or department. */
  filterList(query: string): DirectoryEntry[] {
    const words = searchWords(query.slice(0, QUERY_MAX_CHARS)).slice(0, QUERY_MAX_WORDS);
    return this.entries.filter((e) => words.every((w) => ` ${e.listKey}`.includes(w)));
  }

  /** Everyone (or those given), grouped by department, no department last: the pick list. */
  byDepartment(entries: readonly DirectoryEntry[] = this.entries): DepartmentGroup[] {
    const groups = new Map<string | null, DirectoryEntry[]>();
    for (const entry of entries) {
      const list = groups.get(entry.department) ?? [];
      list.push(entry);
      groups.set(entry.department, list);
    }
    return [...groups]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : collator.compare(a, b)))
      .map(([department, entries]) => ({ department, entries }));
  }
}
