import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Staff } from '../db/schema.js';
import type { SsoProviderTable } from '../db/sign-in-schema.js';

export type SsoProviderRow = Selectable<SsoProviderTable>;

/** The provider as Settings saved it; undefined until an administrator saves one. */
export function findSsoProvider(db: Db): Promise<SsoProviderRow | undefined> {
  return db.selectFrom('sso_provider').selectAll().where('id', '=', 1).executeTakeFirst();
}

export interface SsoProviderValues {
  name: string;
  issuer: string;
  clientId: string;
  /** Already encrypted; undefined keeps the stored one. */
  clientSecret: string | undefined;
  enabled: boolean;
  required: boolean;
  breakGlassStaffId: number | null;
  createDomain: string | null;
  createRoleId: number | null;
}

export async function saveSsoProvider(
  db: Db,
  values: SsoProviderValues,
  staffId: number,
  now: Date,
): Promise<void> {
  const row = {
    name: values.name,
    issuer: values.issuer,
    client_id: values.clientId,
    ...(values.clientSecret === undefined ? {} : { client_secret: values.clientSecret }),
    enabled: values.enabled ? 1 : 0,
    required: values.required ? 1 : 0,
    break_glass_staff_id: values.breakGlassStaffId,
    create_domain: values.createDomain,
    create_role_id: values.createRoleId,
    updated_at: now.toISOString(),
    updated_by: staffId,
  };
  await db
    .insertInto('sso_provider')
    .values({ id: 1, ...row })
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
}

/** The staff member a provider's subject was matched to before. */
export async function findStaffBySubject(
  db: Db,
  issuer: string,
  subject: string,
): Promise<Staff | undefined> {
  return db
    .selectFrom('staff_sso_identities')
    .innerJoin('staff', 'staff.id', 'staff_sso_identities.staff_id')
    .selectAll('staff')
    .where('staff_sso_identities.issuer', '=', issuer)
    .where('staff_sso_identities.subject', '=', subject)
    .executeTakeFirst();
}

export async function rememberSubject(
  db: Db,
  values: { issuer: string; subject: string; staffId: number },
  now: Date,
): Promise<void> {
  await db
    .insertInto('staff_sso_identities')
    .values({
      issuer: values.issuer,
      subject: values.subject,
      staff_id: values.staffId,
      created_at: now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
    .execute();
}

/** Whether this person's account is already tied to another subject at this provider. */
export async function hasSubjectAtIssuer(
  db: Db,
  staffId: number,
  issuer: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('staff_sso_identities')
    .select('subject')
    .where('staff_id', '=', staffId)
    .where('issuer', '=', issuer)
    .executeTakeFirst();
  return row !== undefined;
}

/** Everyone whose email is this one, whatever its case (active or not). */
export function findStaffByEmail(db: Db, email: string): Promise<Staff[]> {
  return db
    .selectFrom('staff')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .orderBy('id')
    .execute();
}

export async function markSsoSession(db: Db, sessionId: string): Promise<void> {
  await db.insertInto('sso_sessions').values({ session_id: sessionId }).execute();
}

export async function isSsoSession(db: Db, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('sso_sessions')
    .select('session_id')
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return row !== undefined;
}
