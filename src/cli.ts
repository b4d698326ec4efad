import { parseArgs } from 'node:util';
import { hashPassword } from './auth/passwords.js';
import { type Config, ConfigError, environmentWithDotEnv, loadConfig } from './config.js';
import { KEY_FILE, keyFilePath, keyFitsCheck, PhiKeyError, readKeyFile } from './crypto/key.js';
import { rotatePhiKey } from './crypto/rotate.js';
import {
  BackupError,
  backupDatabase,
  checkDatabaseFile,
  type DatabaseReport,
  restoreDatabase,
} from './db/backup.js';
import { CopyStoreError, copyStore } from './db/copy-store.js';
import { checkStore, createDb, databaseFile } from './db/index.js';
import { StoreUnreachableError } from './db/postgres.js';
import { text } from './forms/fields.js';
import { confirmKeySaved, runDoctorCommand } from './ops/doctor-cli.js';
import { NewerDatabaseError, upgradeDatabase } from './ops/upgrade.js';
import { recordAudit } from './repositories/audit.js';
import { EncryptedValueError } from './repositories/phi.js';
import {
  createStaff,
  findStaffByUsername,
  type RoleKey,
  usernameTaken,
} from './repositories/staff.js';
import { removeTwoFactor } from './repositories/two-factor.js';
import { assertServerStopped, ServerRunningError } from './server-lock.js';
import { validateStaffFields } from './staff/validate.js';

const USAGE = `Usage: hushdesk <command>

Commands:
  start                   Serve (what the systemd unit runs).
  doctor                  Check the installation; every problem with what to do. Exit 1 when something needs action.
  key-saved               Record that a copy of the encryption key is kept apart from the backups.
  migrate                 Bring the database up to date (also done at every start, with a backup first).
  staff add --name NAME --username USERNAME --email EMAIL --role admin|champion|staff|external
            [--department DEPARTMENT] --password-stdin
                          Create a staff account; the password is read from standard input.
  backup FILE             Take a backup while the server runs, check it, report on it.
                          The encryption key is NOT in it: keep your key file apart.
  restore FILE            Check a backup and put it in place of the database (stop the server first).
  rotate-key              Re-encrypt all PHI under a new key (stop the server first).
  copy-store --to postgres://…   Copy this SQLite store into an empty PostgreSQL database.
  copy-store --from postgres://… Copy a PostgreSQL store into DATA_DIR's SQLite file (empty).
                          One transaction; row counts and a checksum per table are checked.
                          Stop hushdesk first. PHI is copied encrypted, under the same key.
  two-factor off --username USERNAME
                          Turn off someone's two-step sign-in (lost phone and recovery codes).
`;

export class CliError extends Error {}

const ROLES: Record<string, RoleKey> = {
  admin: 'admin',
  champion: 'champion',
  staff: 'staff',
  external: 'external',
};

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  // One trailing newline is how `echo` and most secret stores end a value.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function migrate(config: Config): Promise<string> {
  const db = createDb(config.dataDir, config.databaseUrl);
  try {
    const result = await upgradeDatabase(db, config.dataDir, new Date());
    const ran = result.migrated.length;
    if (ran === 0) return 'The database is up to date.';
    const kept = result.backup ? `\nThe database as it was is backed up in ${result.backup}.` : '';
    return `Applied ${ran} migration(s).${kept}`;
  } finally {
    await db.destroy();
  }
}

async function addStaff(
  config: Config,
  args: string[],
  stdin: NodeJS.ReadableStream,
): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      username: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string', default: 'staff' },
      department: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const role = ROLES[values.role ?? ''];
  if (!role)
    throw new CliError(`--role accepts admin, champion, staff or external, got "${values.role}".`);
  if (!values['password-stdin']) {
    throw new CliError('Give the password on standard input with --password-stdin.');
  }
  const fields = {
    name: text(values.name),
    username: text(values.username),
    email: text(values.email),
    department: text(values.department),
    password: await readStdin(stdin),
  };
  const errors = validateStaffFields(fields);
  const problems = Object.entries(errors).map(([field, message]) => `--${field}: ${message}`);
  if (problems.length > 0) throw new CliError(problems.join('\n'));

  const db = createDb(config.dataDir, config.databaseUrl);
  try {
    await upgradeDatabase(db, config.dataDir, new Date());
    if (await usernameTaken(db, fields.username)) {
      throw new CliError(`--username: "${fields.username}" is already taken.`);
    }
    const staff = await createStaff(
      db,
      {
        name: fields.name,
        username: fields.username,
        email: fields.email,
        department: fields.department || null,
        roleKey: role,
        passwordHash: await hashPassword(fields.password),
      },
      new Date(),
    );
    return `Created ${staff.name} (${staff.username}) as ${values.role}.`;
  } finally {
    await db.destroy();
  }
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function describeDatabase(report: DatabaseReport): string {
  const width = Math.max(...report.tables.map((t) => t.name.length));
  const rows = report.tables.map((t) => `  ${t.name.padEnd(width)}  ${t.rows}`);
  const key = report.keyId
    ? `PHI in it needs encryption key ${report.keyId}, which is not in the file.`
    : 'It holds no encryption key check.';
  return [
    `${report.file}: ${size(report.bytes)}, integrity check ok.`,
    key,
    'Rows per table:',
    ...rows,
  ].join('\n');
}

/** PostgreSQL has its own tools for a consistent copy of a live database. */
const POSTGRES_BACKUP = [
  'DATABASE_URL is set: hushdesk keeps its data in PostgreSQL, which backs up with its own tools.',
  'Back up:  pg_dump --format=custom --file=hushdesk.dump "$DATABASE_URL"',
  'Restore:  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" hushdesk.dump',
  'PHI in the dump stays encrypted; keep the key file (or HUSHDESK_KEY) apart from the dumps.',
].join('\n');

async function backup(config: Config, args: string[]): Promise<string> {
  const [file, ...extra] = args;
  if (!file || extra.length > 0) throw new CliError('Usage: hushdesk backup FILE');
  if (config.databaseUrl) throw new CliError(POSTGRES_BACKUP);
  const report = await backupDatabase(config.dataDir, file);
  return `Backed up.\n${describeDatabase(report)}\nCopy it off this machine, and keep the key file (${KEY_FILE}) somewhere else.`;
}

async function restore(config: Config, args: string[]): Promise<string> {
  const [file, ...extra] = args;
  if (!file || extra.length > 0) throw new CliError('Usage: hushdesk restore FILE');
  if (config.databaseUrl) throw new CliError(POSTGRES_BACKUP);
  assertServerStopped(config.dataDir);
  const report = checkDatabaseFile(file);
  if (report.keyCheck) {
    const path = keyFilePath(config.dataDir);
    const key = config.phiKey ?? readKeyFile(path);
    const source = config.phiKey ? 'HUSHDESK_KEY' : path;
    if (!key) {
      throw new CliError(
        `This backup's PHI is encrypted with key ${report.keyCheck.keyId}. Put that key's file at ${path} (or set HUSHDESK_KEY) before restoring.`,
      );
    }
    if (!keyFitsCheck(key, report.keyCheck)) {
      throw new CliError(
        `This backup needs encryption key ${report.keyCheck.keyId}, but ${source} holds key ${key.id}. Put the key that was in use when the backup was taken in its place first.`,
      );
    }
  }
  const { report: restored, previous } = restoreDatabase(config.dataDir, file, new Date());
  const kept = previous
    ? `The database it replaced is kept as ${previous}; delete it once hushdesk runs well.`
    : '';
  return `Restored.\n${describeDatabase(restored)}\n${kept}\nStart hushdesk now.`.replace(
    /\n\n/g,
    '\n',
  );
}

async function rotateKey(config: Config): Promise<string> {
  assertServerStopped(config.dataDir);
  const db = createDb(config.dataDir, config.databaseUrl);
  try {
    await upgradeDatabase(db, config.dataDir, new Date());
    const report = await rotatePhiKey(
      db,
      { dataDir: config.dataDir, envKey: config.phiKey },
      new Date(),
    );
    const counts = Object.entries(report.counts).map(([column, n]) => `  ${column}: ${n}`);
    const next = report.usesEnvKey
      ? `HUSHDESK_KEY is set: put the contents of ${report.newKeyPath} into HUSHDESK_KEY, then delete that file. hushdesk will not start until you do.`
      : `The new key is in ${report.newKeyPath}. Copy it to where you keep the key, apart from the backups.`;
    return [
      `Re-encrypted everything under key ${report.newKeyId} (was ${report.oldKeyId}):`,
      ...counts,
      next,
      `Backups taken before now still need the old key ${report.oldKeyId}: keep it as long as you keep them, or take a new backup now.`,
    ].join('\n');
  } finally {
    await db.destroy();
  }
}

async function twoFactorOff(config: Config, args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: { username: { type: 'string' } }, strict: true });
  if (!values.username) throw new CliError('Give the person with --username.');
  const db = createDb(config.dataDir, config.databaseUrl);
  try {
    await upgradeDatabase(db, config.dataDir, new Date());
    const staff = await findStaffByUsername(db, values.username);
    if (!staff) throw new CliError(`--username: nobody is called "${values.username}".`);
    await removeTwoFactor(db, staff.id);
    await recordAudit(
      db,
      {
        actor: { label: 'command line' },
        action: 'two-factor-removed',
        detail: `for ${staff.name} (${staff.username})`,
      },
      new Date(),
    );
    return `Two-step sign-in is off for ${staff.name} (${staff.username}). They sign in with their password and can set it up again.`;
  } finally {
    await db.destroy();
  }
}

async function copyStoreCommand(config: Config, args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, from: { type: 'string' } },
    strict: true,
  });
  if (Boolean(values.to) === Boolean(values.from)) {
    throw new CliError('Usage: hushdesk copy-store --to postgres://… | --from postgres://…');
  }
  const other = (values.to ?? values.from) as string;
  let url: string;
  try {
    url = loadConfig({ DATABASE_URL: other }).databaseUrl as string;
  } catch (error) {
    const flag = values.to ? '--to' : '--from';
    throw new CliError((error as Error).message.replace(/^DATABASE_URL/, flag));
  }
  assertServerStopped(config.dataDir);
  const local = createDb(config.dataDir);
  const remote = createDb(config.dataDir, url);
  try {
    await checkStore(remote);
    const copies = values.to ? await copyStore(local, remote) : await copyStore(remote, local);
    const width = Math.max(...copies.map((c) => c.name.length));
    return [
      `Copied ${values.to ? 'into PostgreSQL' : 'into ' + databaseFile(config.dataDir)}; every table's rows and checksum match:`,
      ...copies.map((c) => `  ${c.name.padEnd(width)}  ${c.rows}  ${c.checksum.slice(0, 12)}`),
      values.to
        ? 'Set DATABASE_URL to it (and keep the same encryption key) to serve from PostgreSQL.'
        : 'Unset DATABASE_URL (and keep the same encryption key) to serve from the SQLite file.',
    ].join('\n');
  } finally {
    await local.destroy();
    await remote.destroy();
  }
}

/** Runs one command; returns what to print, or throws CliError with what went wrong. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  stdin: NodeJS.ReadableStream,
): Promise<string> {
  const config = loadConfig(env);
  const [command, sub, ...rest] = argv;
  try {
    if (command === 'migrate') return await migrate(config);
    if (command === 'staff' && sub === 'add') return await addStaff(config, rest, stdin);
    if (command === 'two-factor' && sub === 'off') return await twoFactorOff(config, rest);
    if (command === 'backup') return await backup(config, argv.slice(1));
    if (command === 'restore') return await restore(config, argv.slice(1));
    if (command === 'rotate-key' && argv.length === 1) return await rotateKey(config);
    if (command === 'key-saved' && argv.length === 1) {
      return await confirmKeySaved(config, 'command line').catch((error: Error) => {
        throw new CliError(error.message);
      });
    }
    if (command === 'copy-store') return await copyStoreCommand(config, argv.slice(1));
  } catch (error) {
    if (
      error instanceof BackupError ||
      error instanceof CopyStoreError ||
      error instanceof StoreUnreachableError ||
      error instanceof ConfigError ||
      error instanceof PhiKeyError ||
      error instanceof ServerRunningError ||
      error instanceof NewerDatabaseError
    ) {
      throw new CliError(error.message);
    }
    if (error instanceof EncryptedValueError) {
      throw new CliError(`Nothing was changed: ${error.message}.`);
    }
    throw error;
  }
  if (command === undefined || command === 'help' || command === '--help') return USAGE;
  throw new CliError(`Unknown command "${argv.join(' ')}".\n\n${USAGE}`);
}

export async function main(): Promise<void> {
  if (process.argv[2] === 'doctor' && process.argv.length === 3) {
    const report = await runDoctorCommand(environmentWithDotEnv());
    console.log(report.output);
    process.exit(report.ok ? 0 : 1);
  }
  try {
    console.log(await runCli(process.argv.slice(2), environmentWithDotEnv(), process.stdin));
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`hushdesk: ${error.message}`);
      process.exit(error instanceof ConfigError ? 78 : 1);
    }
    if (error instanceof TypeError && 'code' in error) {
      // parseArgs: an unknown or malformed option.
      console.error(`hushdesk: ${error.message}\n\n${USAGE}`);
      process.exit(64);
    }
    throw error;
  }
}
