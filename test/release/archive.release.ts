import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/root.js';

/**
 * The release as an agency gets it: built by `scripts/release.mjs`, unpacked
 * into a temporary folder and run with a PATH that holds no Node.js, so only
 * the runtime inside the archive can be what runs.
 */
const version = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const name = `hushdesk-${version}-linux-x64`;
let work: string;
let home: string;
let env: Record<string, string>;
let server: ChildProcess | undefined;
let base = '';

function run(args: string[], input = '') {
  return spawnSync(join(home, 'hushdesk'), args, { env, input, encoding: 'utf8' });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hushdesk-release-'));
  const out = join(work, 'out');
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'release.mjs'), '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(built.status, built.stderr + built.stdout).toBe(0);
  mkdirSync(join(work, 'opt'));
  const unpacked = spawnSync('tar', ['-xzf', join(out, `${name}.tar.gz`), '-C', join(work, 'opt')]);
  expect(unpacked.status).toBe(0);
  home = join(work, 'opt', name);
  // A PATH with readlink only (the launcher follows links with it): no node, no npm.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync('/usr/bin/readlink', join(bin, 'readlink'));
  mkdirSync(join(work, 'data'));
  env = { PATH: bin, HOME: work, DATA_DIR: join(work, 'data'), PORT: '0', TZ: 'UTC' };
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((done) => server?.once('exit', done));
    server.kill('SIGTERM');
    await exited;
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the release archive', () => {
  it('carries its checksum, a version, the licences and the unit file', () => {
    const archive = join(work, 'out', `${name}.tar.gz`);
    const [sum, file] = readFileSync(`${archive}.sha256`, 'utf8').trim().split(/\s+/);
    expect(file).toBe(`${name}.tar.gz`);
    expect(createHash('sha256').update(readFileSync(archive)).digest('hex')).toBe(sum);
    const check = spawnSync('sha256sum', ['--check', '--quiet', 'SHA256SUMS'], {
      cwd: home,
      encoding: 'utf8',
    });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(readFileSync(join(home, 'VERSION'), 'utf8')).toContain(`hushdesk ${version}`);
    const licences = readFileSync(join(home, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
    for (const bundled of ['Node.js', 'fastify@', 'better-sqlite3@', 'kysely@', 'prom-client@']) {
      expect(licences).toContain(bundled);
    }
    expect(existsSync(join(home, 'node_modules', 'vitest')), 'no devDependencies').toBe(false);
    expect(existsSync(join(home, 'hushdesk.service'))).toBe(true);
  });

  it('runs without Node.js on PATH', () => {
    const which = spawnSync('/bin/sh', ['-c', 'command -v node npm'], { env });
    expect(which.status).not.toBe(0);
    const help = run(['help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: hushdesk');
  });

  it('adds staff and takes a backup from the archive', () => {
    const added = run(
      [
        'staff',
        'add',
        '--name',
        'Ann Lee',
        '--username',
        'ann',
        '--email',
        'ann@example.org',
        '--role',
        'admin',
        '--password-stdin',
      ],
      'a long enough password\n',
    );
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('Created Ann Lee (ann) as admin.');
    const backup = run(['backup', join(work, 'copy.db')]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toContain('integrity check ok');
    expect(backup.stdout).toMatch(/staff\s+1/);
  });

  it('serves: /healthz answers and the sign-in page renders', async () => {
    server = spawn(join(home, 'hushdesk'), ['start'], { env: { ...env, LOG_LEVEL: 'info' } });
    let log = '';
    base = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no listening line in:\n${log}`)), 45_000);
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (m?.[1]) {
          clearTimeout(timer);
          done(m[1]);
        }
      };
      server?.stdout?.on('data', read);
      server?.stderr?.on('data', read);
      server?.once('exit', (code) => fail(new Error(`exited ${code}:\n${log}`)));
    });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const signIn = await fetch(`${base}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('name="password"');
  });

  it('has a systemd unit that passes systemd-analyze verify', () => {
    // The unit names /opt/hushdesk/current; verify checks that ExecStart exists, so point it here.
    const unit = readFileSync(join(home, 'hushdesk.service'), 'utf8').replaceAll(
      '/opt/hushdesk/current',
      home,
    );
    const dir = join(work, 'unit');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hushdesk.service'), unit);
    expect(unit).toContain('ProtectSystem=strict');
    const verify = spawnSync('systemd-analyze', ['verify', join(dir, 'hushdesk.service')], {
      encoding: 'utf8',
    });
    expect(verify.error, 'systemd-analyze is installed (.ci/run installs it)').toBeUndefined();
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr).not.toMatch(/hushdesk\.service/);
  });
});
