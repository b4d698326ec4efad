import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Timestamps are ISO 8601 strings in UTC (`Date#toISOString`), which sort as text. */
type Timestamp = string;

export interface RoleTable {
  id: Generated<number>;
  /** Built-in roles carry a key (admin, champion, staff, external); added roles have none. */
  key: string | null;
  name: string;
  created_at: Timestamp;
}

export interface RolePermissionTable {
  role_id: number;
  permission: string;
}

export interface StaffTable {
  id: Generated<number>;
  name: string;
  username: string;
  /** Lower-cased username: uniqueness is case-insensitive. */
  username_key: string;
  email: string;
  role_id: number;
  department: string | null;
  active: number;
  password_hash: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionTable {
  /** SHA-256 of the cookie's token: a stolen database holds no usable session. */
  id: string;
  staff_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ip: string;
}

export interface SetupTokenTable {
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface Database {
  roles: RoleTable;
  role_permissions: RolePermissionTable;
  staff: StaffTable;
  sessions: SessionTable;
  setup_tokens: SetupTokenTable;
}

export type Role = Selectable<RoleTable>;
export type Staff = Selectable<StaffTable>;
export type NewStaff = Insertable<StaffTable>;
export type StaffUpdate = Updateable<StaffTable>;
export type Session = Selectable<SessionTable>;
