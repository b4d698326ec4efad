import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/auth/passwords.js';
import { CliError, runCli } from '../src/cli.js';
import { createDb } from '../src/db/index.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hushdesk-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (argv: string[], stdin = '') =>
  runCli(argv, { DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, Readable.from([stdin]));

const ANN = [
  'staff',
  'add',
  '--name',
  'Ann Lee',
  '--username',
  'ann',
  '--email',
  'ann@example.org',
];

describe('hushdesk migrate', () => {
  it('migrates, and a second run says it is up to date', async () => {
    expect(await run(['migrate'])).toMatch(/Applied \d+ migration/);
    expect(await run(['migrate'])).toBe('The database is up to date.');
  });
});

describe('hushdesk staff add', () => {
  it('creates an account from standard input', async () => {
    const out = await run(
      [...ANN, '--role', 'admin', '--password-stdin'],
      'correct horse battery staple\n',
    );
    expect(out).toBe('Created Ann Lee (ann) as admin.');
    const db = createDb(dataDir);
    const row = await db
      .selectFrom('staff')
      .innerJoin('roles', 'roles.id', 'staff.role_id')
      .select(['staff.password_hash', 'roles.key'])
      .executeTakeFirstOrThrow();
    expect(row.key).toBe('admin');
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await verifyPassword(row.password_hash ?? '', 'correct horse battery staple')).toBe(
      true,
    );
    await db.destroy();
  });

  it('creates an External support account for the escalation desk', async () => {
    const desk = [
      'staff',
      'add',
      '--name',
      'Pat Vendor',
      '--username',
      'pat',
      '--email',
      'pat@vendor.example',
    ];
    expect(
      await run(
        [...desk, '--role', 'external', '--password-stdin'],
        'correct horse battery staple',
      ),
    ).toBe('Created Pat Vendor (pat) as external.');
    const db = createDb(dataDir);
    const row = await db
      .selectFrom('staff')
      .innerJoin('roles', 'roles.id', 'staff.role_id')
      .select('roles.key')
      .where('staff.username', '=', 'pat')
      .executeTakeFirstOrThrow();
    expect(row.key).toBe('external');
    await db.destroy();
  });

  it('refuses a duplicate username whatever its case', async () => {
    await run([...ANN, '--password-stdin'], 'correct horse battery staple');
    await expect(
      run(
        [
          'staff',
          'add',
          '--name',
          'Ann Other',
          '--username',
          'ANN',
          '--email',
          'a@example.org',
          '--password-stdin',
        ],
        'another good passphrase',
      ),
    ).rejects.toThrow(/--username: "ANN" is already taken/);
  });

  it.each([
    ['short', /at least 8 characters/],
    ['password123', /commonly used passwords/],
    ['x'.repeat(129), /at most 128 characters/],
  ])('refuses the weak password %#', async (password, message) => {
    const attempt = run([...ANN, '--password-stdin'], password);
    await expect(attempt).rejects.toThrow(CliError);
    await expect(run([...ANN, '--password-stdin'], password)).rejects.toThrow(message);
  });

  it('refuses an unknown role and a missing --password-stdin', async () => {
    await expect(run([...ANN, '--role', 'owner', '--password-stdin'], 'x')).rejects.toThrow(
      /--role accepts admin, champion, staff or external/,
    );
    await expect(run(ANN)).rejects.toThrow(/--password-stdin/);
  });
});

describe('hushdesk two-factor off', () => {
  it('turns off a locked-out person’s second factor and audits it', async () => {
    await run([...ANN, '--password-stdin'], 'correct horse battery staple');
    const db = createDb(dataDir);
    const ann = await db.selectFrom('staff').select('id').executeTakeFirstOrThrow();
    await db
      .insertInto('staff_two_factor')
      .values({
        staff_id: ann.id,
        secret: 'v1:x',
        confirmed_at: 'now',
        last_step: null,
        created_at: 'now',
      })
      .execute();
    await db.destroy();
    expect(await run(['two-factor', 'off', '--username', 'ANN'])).toMatch(
      /^Two-step sign-in is off for Ann Lee \(ann\)\./,
    );
    const after = createDb(dataDir);
    expect(await after.selectFrom('staff_two_factor').selectAll().execute()).toEqual([]);
    const audit = await after
      .selectFrom('audit_log')
      .select(['actor', 'detail'])
      .where('action', '=', 'two-factor-removed')
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor: 'command line', detail: 'for Ann Lee (ann)' });
    await after.destroy();
    await expect(run(['two-factor', 'off', '--username', 'nobody'])).rejects.toThrow(
      /nobody is called "nobody"/,
    );
  });
});
