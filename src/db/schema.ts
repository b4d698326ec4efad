import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { TicketAttachmentTable } from './attachment-schema.js';
import type { NotificationPreferenceTable, OutboxTable } from './notification-schema.js';
import type {
  ReportCalendarTable,
  ReportDailyTable,
  ReportDaysTable,
  TicketReportTimesTable,
} from './report-schema.js';
import type {
  ApiTokenTable,
  PendingSignInTable,
  SignInFailureTable,
  SsoProviderTable,
  SsoSessionTable,
  StaffRecoveryCodeTable,
  StaffSsoIdentityTable,
  StaffTwoFactorTable,
} from './sign-in-schema.js';
import type {
  PasswordResetTokenTable,
  SetupTokenTable,
  TicketFormTokenTable,
} from './token-schema.js';

export type { OutboxStatus } from './notification-schema.js';

/** Timestamps are ISO 8601 strings in UTC (`Date#toISOString`), which sort as text. */
export type Timestamp = string;

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

/** One row: bumped by triggers whenever what quick search shows of staff changes. */
export interface StaffDirectoryVersionTable {
  id: number;
  version: number;
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

export interface SettingTable {
  key: string;
  /** JSON text. */
  value: string;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  staff_id: number | null;
  token_id: number | null;
  /** Who, as a name that survives renames: "Ann Lee (ann)" or "token: billing-sync". */
  actor: string;
  action: string;
  ticket_id: number | null;
  /** Plain words, never PHI. */
  detail: string | null;
  ip: string | null;
}

export type TicketStatus = 'new' | 'in_progress' | 'waiting' | 'complete' | 'cancelled';

export interface PriorityTable {
  id: Generated<number>;
  key: string;
  name: string;
  /** Higher is more urgent: None 0 … Crisis 5. */
  rank: number;
  /** Null for None: answered after every ticket with a priority. */
  response_minutes: number | null;
  target_label: string;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface TicketTable {
  /** The ticket number. Not a secret: visibility checks protect tickets, not the number. */
  id: Generated<number>;
  /** No PHI: it travels in email. */
  title: string;
  /** May hold PHI. */
  description: string | null;
  priority_id: number;
  status: TicketStatus;
  /** YYYY-MM-DD, the agency's calendar. */
  due_date: string | null;
  completed_date: string | null;
  assignee_id: number | null;
  created_by: number;
  /** The path of the page the Help button was pressed on (cleaned of identifiers for other applications). */
  opened_from: string | null;
  /** The other web application's host when the Help button was pressed there; null for hushdesk's own pages. */
  opened_from_host: string | null;
  /** Bumped on every save, so a second concurrent save sees a conflict. */
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The ticket this one was merged into (it is Cancelled then); null when it was not. */
  merged_into: Generated<number | null>;
  /** When the ticket last entered Waiting; null while it is not waiting. */
  waiting_since: Generated<Timestamp | null>;
  /** Time spent in Waiting before `waiting_since`: it does not count toward the response target. */
  waited_seconds: Generated<number>;
}

/** A link between two tickets; `waiting_on`: `ticket_id` waits on `linked_id`. */
export interface TicketLinkTable {
  id: Generated<number>;
  ticket_id: number;
  linked_id: number;
  kind: 'related' | 'waiting_on';
  created_by: number;
  created_at: Timestamp;
}

export interface TicketAssociatedStaffTable {
  ticket_id: number;
  staff_id: number;
  added_by: number | null;
  added_at: Timestamp;
}

export interface TicketNoteTable {
  id: Generated<number>;
  ticket_id: number;
  staff_id: number;
  /** May hold PHI. */
  body: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketEventTable {
  id: Generated<number>;
  ticket_id: number;
  staff_id: number | null;
  at: Timestamp;
  kind: string;
  field: string | null;
  old_value: string | null;
  new_value: string | null;
  note_id: number | null;
}

/** A ticket sent to the escalation desk; one row per ticket, since a ticket is sent once. */
export interface TicketEscalationTable {
  ticket_id: number;
  sent_at: Timestamp;
  sent_by: number;
  /** The desk's name and address as they were when it was sent. */
  desk_name: string;
  desk_email: string;
}

/** An administrator's name for one of the agency's other web applications. */
export interface ApplicationNameTable {
  host: string;
  name: string;
  updated_at: Generated<Timestamp>;
  updated_by: number | null;
}

/**
 * Each person's open tickets, by how they hold them (kept by triggers from
 * migrations/0110 in the same transaction as every ticket change). My tickets'
 * tab counts read this instead of counting.
 */
export interface StaffOpenCountTable {
  staff_id: number;
  assigned: Generated<number>;
  created: Generated<number>;
  associated: Generated<number>;
}

export interface Database {
  roles: RoleTable;
  role_permissions: RolePermissionTable;
  staff: StaffTable;
  staff_directory_version: StaffDirectoryVersionTable;
  sign_in_failures: SignInFailureTable;
  sessions: SessionTable;
  setup_tokens: SetupTokenTable;
  ticket_form_tokens: TicketFormTokenTable;
  password_reset_tokens: PasswordResetTokenTable;
  settings: SettingTable;
  audit_log: AuditLogTable;
  priorities: PriorityTable;
  tickets: TicketTable;
  ticket_associated_staff: TicketAssociatedStaffTable;
  ticket_notes: TicketNoteTable;
  ticket_events: TicketEventTable;
  ticket_escalations: TicketEscalationTable;
  ticket_links: TicketLinkTable;
  ticket_attachments: TicketAttachmentTable;
  ticket_report_times: TicketReportTimesTable;
  report_days: ReportDaysTable;
  report_calendar: ReportCalendarTable;
  report_daily: ReportDailyTable;
  staff_open_counts: StaffOpenCountTable;
  staff_two_factor: StaffTwoFactorTable;
  staff_recovery_codes: StaffRecoveryCodeTable;
  pending_sign_ins: PendingSignInTable;
  outbox: OutboxTable;
  notification_preferences: NotificationPreferenceTable;
  api_tokens: ApiTokenTable;
  sso_provider: SsoProviderTable;
  staff_sso_identities: StaffSsoIdentityTable;
  sso_sessions: SsoSessionTable;
  application_names: ApplicationNameTable;
}

export type Role = Selectable<RoleTable>;
export type Staff = Selectable<StaffTable>;
export type NewStaff = Insertable<StaffTable>;
export type StaffUpdate = Updateable<StaffTable>;
export type Session = Selectable<SessionTable>;
export type Priority = Selectable<PriorityTable>;
export type Ticket = Selectable<TicketTable>;
export type TicketNote = Selectable<TicketNoteTable>;
export type TicketEvent = Selectable<TicketEventTable>;
export type AuditEntry = Insertable<AuditLogTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type NewOutboxMessage = Insertable<OutboxTable>;
export type ApiToken = Selectable<ApiTokenTable>;
