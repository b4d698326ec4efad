import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertServerStopped,
  removePidFile,
  runningServerPid,
  ServerRunningError,
  writePidFile,
} from '../src/server-lock.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hushdesk-lock-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** The pid of a process that has already ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid ?? 999_999;

describe('hushdesk.pid', () => {
  it('says a server runs while its process lives, and nothing once the file is gone', () => {
    expect(runningServerPid(dataDir)).toBeNull();
    writePidFile(dataDir, process.pid);
    expect(runningServerPid(dataDir)).toBe(process.pid);
    expect(() => assertServerStopped(dataDir)).toThrow(ServerRunningError);
    expect(() => assertServerStopped(dataDir)).toThrow(/delete hushdesk\.pid there/);
    removePidFile(dataDir, process.pid);
    expect(existsSync(join(dataDir, 'hushdesk.pid'))).toBe(false);
    expect(() => assertServerStopped(dataDir)).not.toThrow();
  });

  it('ignores a file left by a crashed server, and lets a new server claim the folder', () => {
    const dead = deadPid();
    writeFileSync(join(dataDir, 'hushdesk.pid'), `${dead}\n`);
    expect(runningServerPid(dataDir)).toBeNull();
    writePidFile(dataDir, process.pid);
    expect(runningServerPid(dataDir)).toBe(process.pid);
  });

  it('refuses a second server on the same folder, and never removes another server’s file', () => {
    writePidFile(dataDir, process.pid);
    expect(() => writePidFile(dataDir, deadPid())).toThrow(
      `hushdesk is running on this DATA_DIR (process ${process.pid})`,
    );
    removePidFile(dataDir, 12345);
    expect(runningServerPid(dataDir)).toBe(process.pid);
  });
});
