import type SQLite from 'better-sqlite3';
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryResult,
  SqliteDatabase,
} from 'kysely';
import type { Checkpointer } from './checkpointer.js';
import { mayChangePages, type SqliteChangeMarks } from './dialect/change-marks.js';
import { HushdeskSqliteDialect, withStatementCache } from './sqlite.js';

/**
 * Group commit, SQLite's way: every write that arrives while others are on
 * their way to disk shares their commit, so a burst of ticket views (each
 * writing its audit row) or creates pays one fsync instead of one each, while
 * synchronous=FULL still means each is on disk before it is acknowledged.
 *
 * - Writes run on the writer connection inside one open transaction (a batch),
 *   each in a savepoint of its own, so one that fails is undone alone.
 * - A write (a Kysely transaction, or a single statement outside one) is
 *   acknowledged, its promise settled, only after the batch's COMMIT returned,
 *   which with synchronous=FULL includes the fsync. The batch commits on the
 *   next turn of the event loop once no transaction is half done.
 * - Reads outside a transaction run on a second, read-only connection: WAL lets
 *   it see only what is committed, so nothing shown was not yet on disk.
 *
 * A PostgreSQL store needs none of this: the server groups commits itself
 * (commit_delay) and a pool gives concurrency, so its driver is Kysely's own.
 */
export interface GroupCommitConfig {
  writer: SQLite.Database;
  /** Opened read-only on the same file, after the writer set WAL mode. */
  reader: SQLite.Database;
  /** Told the size of each batch once it is on disk (tests, and whoever wants to watch). */
  onCommit?: (writes: number) => void;
  /** Moved after each batch that wrote rows a page shows (src/db/dialect/change-marks.ts). */
  changeMarks?: SqliteChangeMarks;
  /** Stopped before the writer closes, so the writer's close is the last and tidies the WAL away. */
  checkpointer?: Checkpointer;
}

/** Pragmas and VACUUM act on the connection, not as a write: never inside a batch. */
const OUTSIDE_TRANSACTIONS = /^\s*(pragma|vacuum)\b/i;

interface Batch {
  writes: number;
  /** Wrote rows a page may show: the change mark moves when the batch ends. */
  changesPages: boolean;
  durable: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommitDriver implements Driver {
  readonly #connection: SQLite.Database;
  readonly #writer: SqliteDatabase;
  readonly #reader: SqliteDatabase;
  readonly #onCommit: ((writes: number) => void) | undefined;
  readonly #changeMarks: SqliteChangeMarks | undefined;
  readonly #mutex = new Mutex();
  #batch: Batch | null = null;
  #flushScheduled = false;
  readonly #checkpointer: Checkpointer | undefined;
  /** Kysely transactions begun and not yet committed or rolled back. */
  #open = 0;

  constructor(config: GroupCommitConfig) {
    this.#connection = config.writer;
    this.#writer = withStatementCache(config.writer);
    this.#reader = withStatementCache(config.reader);
    this.#onCommit = config.onCommit;
    this.#changeMarks = config.changeMarks;
    this.#checkpointer = config.checkpointer;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return new Lease(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.#joinBatch();
    this.#exec('savepoint hushdesk_tx');
    this.#open++;
    (connection as Lease).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    this.#exec('release hushdesk_tx');
    lease.inTransaction = false;
    const durable = this.#endTransaction();
    // Others may write while this waits for the disk: that is the point.
    this.giveBack(lease);
    await durable;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    lease.inTransaction = false;
    if (this.#connection.inTransaction) {
      this.#exec('rollback to hushdesk_tx');
      this.#exec('release hushdesk_tx');
    } else {
      // SQLite rolled back the whole batch itself (a full disk, say): every write
      // in it is lost, so none of them may be acknowledged.
      this.#loseBatch(new Error('the database rolled back a group of writes'));
    }
    void this.#endTransaction().catch(() => {});
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.giveBack(connection as Lease);
  }

  async destroy(): Promise<void> {
    await this.#mutex.lock();
    if (this.#batch) this.#flush();
    await this.#checkpointer?.stop();
    this.#reader.close();
    this.#writer.close();
  }

  giveBack(lease: Lease): void {
    if (!lease.held) return;
    lease.held = false;
    this.#mutex.unlock();
  }

  async takeBack(lease: Lease): Promise<void> {
    if (lease.held) return;
    await this.#mutex.lock();
    lease.held = true;
  }

  async run<R>(lease: Lease, query: CompiledQuery): Promise<QueryResult<R>> {
    if (lease.inTransaction) {
      this.#noteWrite(query.sql);
      return execute<R>(this.#writer, query);
    }
    if (OUTSIDE_TRANSACTIONS.test(query.sql)) {
      // Holding the connection, no transaction of anyone's is half done: commit
      // what is waiting, then run it on its own (a checkpoint, say).
      if (this.#open === 0) this.#flush();
      return execute<R>(this.#writer, query);
    }
    const statement = this.#writer.prepare(query.sql) as SQLite.Statement;
    if (statement.readonly) return execute<R>(this.#reader, query);
    // A single write outside a transaction: a transaction of its own in the batch.
    this.#joinBatch();
    this.#noteWrite(query.sql);
    this.#exec('savepoint hushdesk_write');
    let result: QueryResult<R>;
    try {
      result = await execute<R>(this.#writer, query);
      this.#exec('release hushdesk_write');
    } catch (error) {
      if (this.#connection.inTransaction) {
        this.#exec('rollback to hushdesk_write');
        this.#exec('release hushdesk_write');
      } else {
        this.#loseBatch(error);
      }
      throw error;
    }
    const durable = this.#batch?.durable ?? Promise.resolve();
    this.giveBack(lease);
    await durable;
    return result;
  }

  /** A statement in the batch: does it write rows a page may show? */
  #noteWrite(sql: string): void {
    const batch = this.#batch;
    if (!batch || batch.changesPages || !this.#changeMarks) return;
    const statement = this.#writer.prepare(sql) as SQLite.Statement;
    if (!statement.readonly && mayChangePages(sql)) batch.changesPages = true;
  }

  #exec(sql: string): void {
    (this.#writer.prepare(sql) as SQLite.Statement).run();
  }

  /** Opens the batch if none is open, and makes sure it will be committed. */
  #joinBatch(): void {
    if (!this.#batch) {
      this.#exec('begin immediate');
      let resolve = () => {};
      let reject: (error: unknown) => void = () => {};
      const durable = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Nobody may be left with an unhandled rejection: each waiter handles its own.
      durable.catch(() => {});
      this.#batch = { writes: 0, changesPages: false, durable, resolve, reject };
    }
    this.#batch.writes++;
    this.#scheduleFlush();
  }

  #endTransaction(): Promise<void> {
    this.#open--;
    const durable = this.#batch?.durable ?? Promise.resolve();
    this.#scheduleFlush();
    return durable;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      // A transaction still under way (awaiting something between statements)
      // keeps the batch open; its own end schedules the commit again.
      if (this.#open === 0 && this.#batch) this.#flush();
    });
  }

  #loseBatch(error: unknown): void {
    const batch = this.#batch;
    this.#batch = null;
    this.#batchEnded(batch);
    batch?.reject(error);
  }

  #flush(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = null;
    try {
      this.#exec('commit');
      this.#batchEnded(batch);
      batch.resolve();
      this.#onCommit?.(batch.writes);
    } catch (error) {
      try {
        this.#exec('rollback');
      } catch {
        // Already rolled back by SQLite itself.
      }
      this.#batchEnded(batch);
      batch.reject(error);
    }
  }

  /**
   * Before anyone waiting on the batch hears of it, so a page asked for after a
   * save is never one rendered before it. Also after a rollback: nothing was
   * written then, and a page rendered again costs only time.
   */
  #batchEnded(batch: Batch | null): void {
    if (batch?.changesPages) this.#changeMarks?.moved();
  }
}

/**
 * One holder of the connection. A write gives the connection back while it
 * waits for its commit; should its holder run another statement, it takes the
 * connection back first.
 */
class Lease implements DatabaseConnection {
  held = true;
  inTransaction = false;
  readonly #driver: GroupCommitDriver;

  constructor(driver: GroupCommitDriver) {
    this.#driver = driver;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    await this.#driver.takeBack(this);
    return this.#driver.run<R>(this, query);
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; nothing in hushdesk streams.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('hushdesk reads in pages; streaming queries are not supported');
  }
}

async function execute<R>(db: SqliteDatabase, query: CompiledQuery): Promise<QueryResult<R>> {
  const statement = db.prepare(query.sql) as SQLite.Statement;
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: BigInt(lastInsertRowid),
    rows: [],
  };
}

class Mutex {
  #queue: (() => void)[] = [];
  #locked = false;

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
  }

  unlock(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#locked = false;
  }
}

/** hushdesk's SQLite dialect with group commit and a reader beside the writer. */
export class GroupCommitSqliteDialect extends HushdeskSqliteDialect {
  readonly #config: GroupCommitConfig;

  constructor(config: GroupCommitConfig) {
    super({ database: config.writer });
    this.#config = config;
  }

  override createDriver(): Driver {
    return new GroupCommitDriver(this.#config);
  }
}
