import { parseArgs } from 'node:util';
import { hashPassword } from '../auth/passwords.js';
import type { Config } from '../config.js';
import { text } from '../forms/fields.js';
import { recordAudit } from '../repositories/audit.js';
import {
  createStaff,
  findStaffByUsername,
  type RoleKey,
  usernameTaken,
} from '../repositories/staff.js';
import { removeTwoFactor } from '../repositories/two-factor.js';
import { validateStaffFields } from '../staff/validate.js';
import { CliError } from './cli-error.js';
import { withUpgradedStore } from './open-store.js';

/** `hushdesk staff add` and `hushdesk two-factor off`: the accounts an administrator fixes from the shell. */

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

export async function addStaff(
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

  return withUpgradedStore(config, async (db) => {
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
  });
}

export async function twoFactorOff(config: Config, args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: { username: { type: 'string' } }, strict: true });
  const { username } = values;
  if (!username) throw new CliError('Give the person with --username.');
  return withUpgradedStore(config, async (db) => {
    const staff = await findStaffByUsername(db, username);
    if (!staff) throw new CliError(`--username: nobody is called "${username}".`);
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
  });
}
