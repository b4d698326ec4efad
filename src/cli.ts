import { backup, restore } from './cli/backup-commands.js';
import { CliError } from './cli/cli-error.js';
import { addStaff, twoFactorOff } from './cli/staff-commands.js';
import { copyStoreCommand, migrate, rotateKey } from './cli/store-commands.js';
import { ConfigError, environmentWithDotEnv, loadConfig } from './config.js';
import { PhiKeyError } from './crypto/key.js';
import { BackupError } from './db/backup.js';
import { CopyStoreError } from './db/copy-store.js';
import { StoreUnreachableError } from './db/postgres.js';
import { confirmKeySaved, runDoctorCommand } from './ops/doctor-cli.js';
import { NewerDatabaseError } from './ops/upgrade.js';
import { EncryptedValueError } from './repositories/phi.js';
import { ServerRunningError } from './server-lock.js';

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

export { CliError };

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
