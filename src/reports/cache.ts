/**
 * The Reports figures, counted once and shown again until something they
 * count may have changed. A page first reads the data version (one statement,
 * `readReportVersion`): when it matches the one the figures were counted at,
 * and they are under `MAX_AGE_MS` old, they are shown as they are, with the
 * moment they were counted. Any ticket change (each writes a timeline row), a
 * staff member's name or department, a response target or the billing
 * coordinator moves the version, so the next load counts again. The age limit
 * bounds what moves with the clock alone: how old each open ticket is, what is
 * past its target or due date. Figures past `REFRESH_AFTER_MS` are counted
 * again behind the load that finds them, so steady reading never waits.
 *
 * One count at a time per filter: requests that arrive while the figures are
 * being counted wait for that count instead of starting their own.
 */

/** Figures older than this are counted again even when nothing changed. */
export const MAX_AGE_MS = 60_000;
/**
 * From this age a load still gets the figures it finds, and starts counting
 * them again behind it: while people keep reading and nothing changes, no
 * load waits for a count, and none sees figures past `MAX_AGE_MS`.
 */
export const REFRESH_AFTER_MS = 45_000;
/** Filters kept at once (date ranges × departments); the least recently used goes first. */
const MAX_ENTRIES = 32;

interface Entry<T> {
  version: string;
  /** When the figures were counted (the app's clock, ms). */
  at: number;
  value: Promise<T>;
  /** A count started behind this entry, to replace it. */
  refreshing?: boolean;
}

export interface Counted<T> {
  value: T;
  /** When the figures were counted. */
  at: Date;
}

export interface FiguresCache<T> {
  get(key: string, version: string, now: Date, count: () => Promise<T>): Promise<Counted<T>>;
}

export function createFiguresCache<T>(): FiguresCache<T> {
  const entries = new Map<string, Entry<T>>();
  return {
    async get(key, version, now, count) {
      const found = entries.get(key);
      const age = found ? now.getTime() - found.at : Number.POSITIVE_INFINITY;
      // A clock that went back also means count again.
      if (found && found.version === version && age >= 0 && age < MAX_AGE_MS) {
        entries.delete(key);
        entries.set(key, found);
        if (age >= REFRESH_AFTER_MS && !found.refreshing) {
          found.refreshing = true;
          const next: Entry<T> = { version, at: now.getTime(), value: count() };
          next.value.then(
            () => {
              if (entries.get(key) === found) entries.set(key, next);
            },
            // Not kept: the entry it would replace expires, and that load counts again.
            () => undefined,
          );
        }
        return { value: await found.value, at: new Date(found.at) };
      }
      const entry: Entry<T> = { version, at: now.getTime(), value: count() };
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > MAX_ENTRIES) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      try {
        return { value: await entry.value, at: new Date(entry.at) };
      } catch (error) {
        // A count that failed is not kept: the next request counts again.
        if (entries.get(key) === entry) entries.delete(key);
        throw error;
      }
    },
  };
}
