import type SQLite from 'better-sqlite3';
import type { Db } from '../index.js';

/**
 * Change marks: a value that moves whenever anything a page shows may have
 * changed in the store, so a page rendered under one mark can be served again
 * while the mark stands (src/web/page-cache.ts).
 *
 * SQLite: one server process writes, through the group-commit writer. The mark
 * is the count of its committed batches that wrote anything shown, and the
 * writer's `PRAGMA data_version`, which moves when any other connection (a
 * `hushdesk` command run beside the server) commits to the file.
 * PostgreSQL: other processes write to the same database, and no cheap value
 * says that they did, so there is no mark and nothing is served again.
 */

/**
 * Rows no cached page shows, written on ordinary reads: a ticket view's audit
 * row, a session's last request, a queued notification, a sign-in attempt. A
 * write to one of them alone leaves the mark where it is. No trigger on them
 * writes elsewhere (the triggers are on tickets, staff, roles and the ticket
 * events and associated staff).
 */
const UNSHOWN_TABLES = new Set([
  'audit_log',
  'sessions',
  'sign_in_failures',
  'pending_sign_ins',
  'outbox',
  'ticket_form_tokens',
  'password_reset_tokens',
  'setup_tokens',
  'sso_sessions',
]);

const WRITTEN_TABLE =
  /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?(\w+)"?/i;

/** Whether a write statement may change what a page shows: all but the unshown tables (and anything not read plainly). */
export function mayChangePages(statementSql: string): boolean {
  const table = WRITTEN_TABLE.exec(statementSql)?.[1]?.toLowerCase();
  return table === undefined || !UNSHOWN_TABLES.has(table);
}

export class SqliteChangeMarks {
  #committed = 0;
  readonly #dataVersion: SQLite.Statement;
  /**
   * The writer's data_version as read in this turn of the event loop: asking
   * SQLite costs about as much as a small query, and every request asks. A
   * value read earlier in the same turn is as good as one read now, since a
   * mark is only ever taken before the reads it guards: a commit after it
   * still moves the next turn's mark.
   */
  #versionThisTurn: string | null = null;

  constructor(writer: SQLite.Database) {
    this.#dataVersion = writer.prepare('pragma data_version').pluck();
  }

  /** Called by the writer right after a batch that wrote shown rows ends, before anyone hears of it. */
  moved(): void {
    this.#committed++;
  }

  current(): string | null {
    try {
      if (this.#versionThisTurn === null) {
        this.#versionThisTurn = String(this.#dataVersion.get());
        setImmediate(() => {
          this.#versionThisTurn = null;
        });
      }
      return `${this.#committed}.${this.#versionThisTurn}`;
    } catch {
      // The store is closed: no mark, nothing served again.
      return null;
    }
  }
}

const marks = new WeakMap<Db, SqliteChangeMarks>();

export function keepChangeMarks(db: Db, changeMarks: SqliteChangeMarks): void {
  marks.set(db, changeMarks);
}

/** The store's mark now, or null where there is none (PostgreSQL). */
export function changeMarkOf(db: Db): string | null {
  return marks.get(db)?.current() ?? null;
}

/**
 * A read of the store kept while its mark stands, for what every request asks
 * and almost nothing changes (a setting). Where there is no mark it is read
 * every time. The mark is taken before the read, so a save during it leaves the
 * kept value already out of date, never wrongly current.
 */
export function keptWhileUnchanged<T>(read: (db: Db) => Promise<T>): (db: Db) => Promise<T> {
  const kept = new WeakMap<Db, { mark: string; value: Promise<T> }>();
  return (db) => {
    const mark = changeMarkOf(db);
    if (mark === null) return read(db);
    const known = kept.get(db);
    if (known?.mark === mark) return known.value;
    const value = read(db);
    const entry = { mark, value };
    kept.set(db, entry);
    value.catch(() => {
      if (kept.get(db) === entry) kept.delete(db);
    });
    return value;
  };
}
