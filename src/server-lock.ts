import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * DATA_DIR/hushdesk.pid says a server is running on this data. Commands that
 * must not run beside it (restore, rotate-key) check it, and a second server
 * on the same data refuses to start.
 */
export const PID_FILE = 'hushdesk.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a server running on this DATA_DIR, or null (a stale file from a crash counts as none). */
export function runningServerPid(dataDir: string): number | null {
  const file = join(dataDir, PID_FILE);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

export class ServerRunningError extends Error {
  constructor(readonly pid: number) {
    super(
      `hushdesk is running on this DATA_DIR (process ${pid}). Stop it first. ` +
        `(If no hushdesk is running, delete ${PID_FILE} there: it is left over from a crash.)`,
    );
    this.name = 'ServerRunningError';
  }
}

export function assertServerStopped(dataDir: string): void {
  const pid = runningServerPid(dataDir);
  if (pid !== null) throw new ServerRunningError(pid);
}

/** Claims DATA_DIR for this process; throws when another live server holds it. */
export function writePidFile(dataDir: string, pid = process.pid): void {
  const running = runningServerPid(dataDir);
  if (running !== null && running !== pid) throw new ServerRunningError(running);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, PID_FILE), `${pid}\n`, { mode: 0o644 });
}

export function removePidFile(dataDir: string, pid = process.pid): void {
  const file = join(dataDir, PID_FILE);
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === pid) unlinkSync(file);
  } catch {
    // Already gone.
  }
}
