import type SQLite from 'better-sqlite3';
import type { Random } from './random.js';
import { Weighted } from './random.js';
import { asciiFold, DEPARTMENTS, FIRST_NAMES, LAST_NAMES } from './words.js';

export type RoleKey = 'admin' | 'champion' | 'staff';

export interface SeededStaff {
  id: number;
  name: string;
  username: string;
  role: RoleKey;
  department: string;
  active: boolean;
}

/** Namesakes the quick search must tell apart (by role and department), always present. */
const FIXED_NAMES = ['Ann Lee', 'Ann Lee', 'Anne Leigh', 'Lee Park', 'Kathleen Ashlee', 'Zoë Lee'];

/** Champions cover these first, as the vendor asks: intake, clinical and billing each get one. */
const CHAMPION_DEPARTMENTS = ['Intake', 'Clinical', 'Billing', 'Scheduling', 'Case management'];

/**
 * Staff as an agency has them: about one champion per 15 people, two or three
 * administrators, some who have left (inactive), all sharing one password hash
 * so the bench can sign in as anyone.
 */
export function seedStaff(
  sqlite: SQLite.Database,
  random: Random,
  count: number,
  passwordHash: string,
  now: number,
): SeededStaff[] {
  const roleIds = new Map(
    (sqlite.prepare('select id, key from roles').all() as { id: number; key: string }[]).map(
      (r) => [r.key, r.id],
    ),
  );
  const departments = new Weighted(DEPARTMENTS);
  const admins = count >= 200 ? 3 : 2;
  const champions = Math.max(1, Math.round(count / 15));
  const insert = sqlite.prepare(
    `insert into staff (name, username, username_key, email, role_id, department, active,
       password_hash, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const usernames = new Set<string>();
  const staff: SeededStaff[] = [];
  const tenYears = 10 * 365 * 86_400_000;

  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const name = FIXED_NAMES[i] ?? `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
      const [first = '', ...rest] = name.split(' ');
      const base = `${asciiFold(first).slice(0, 1)}${asciiFold(rest.join(''))}`;
      let username = base;
      for (let n = 2; usernames.has(username); n++) username = `${base}${n}`;
      usernames.add(username);
      // Roles go to people after the fixed namesakes, so each namesake is ordinary staff.
      const j = i - FIXED_NAMES.length;
      const role: RoleKey =
        j >= 0 && j < admins
          ? 'admin'
          : j >= admins && j < admins + champions
            ? 'champion'
            : 'staff';
      const department =
        role === 'admin'
          ? 'Administration'
          : role === 'champion'
            ? (CHAMPION_DEPARTMENTS[j - admins] ?? departments.pick(random))
            : departments.pick(random);
      const active = role !== 'staff' || !random.chance(0.06);
      const joined = new Date(now - random.next() * tenYears).toISOString();
      const id = Number(
        insert.run(
          name,
          username,
          username,
          `${username}@agency.example`,
          roleIds.get(role),
          department,
          active ? 1 : 0,
          passwordHash,
          joined,
          joined,
        ).lastInsertRowid,
      );
      staff.push({ id, name, username, role, department, active });
    }
  })();
  return staff;
}
