import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { addStaff, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { markerEncodings } from '../helpers/marker.js';
import { storeTicketWithPhi } from '../helpers/phi.js';
import { createTicket, saveTicket } from '../helpers/tickets.js';

/** Which encodings of the marker the database file and its WAL contain. */
function markerFound(dataDir: string, marker: string): string[] {
  const found: string[] = [];
  for (const name of ['hushdesk.db', 'hushdesk.db-wal']) {
    const file = join(dataDir, name);
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const [encoding, needles] of Object.entries(markerEncodings(marker))) {
      if (needles.some((needle) => bytes.includes(needle))) found.push(`${name} ${encoding}`);
    }
  }
  return found;
}

let apps: TestApp[] = [];
afterEach(async () => {
  for (const t of apps) await t.close();
  apps = [];
});

async function appWithStaff() {
  const t = await createTestApp();
  apps.push(t);
  const ann = await addStaff(t.app, 'ann');
  return { t, ann };
}

const newMarker = () => `Quokka-${randomBytes(8).toString('hex')}-MRN`;

describe('the marker test: PHI never reaches the database file or its WAL in clear', () => {
  it('finds the marker in every encoding when it is stored in clear (the test can see)', async () => {
    const { t, ann } = await appWithStaff();
    const marker = newMarker();
    // A title is stored in clear: a marker there must be found.
    await storeTicketWithPhi(t.app, {
      staffId: ann.id,
      title: `${marker} ${Buffer.from(marker).toString('base64')} ${Buffer.from(marker).toString('hex')}`,
      description: 'nothing',
    });
    await sql`insert into settings (key, value, updated_at)
      values ('control', ${Buffer.from(marker, 'utf16le')}, 'now')`.execute(t.app.db);
    expect(markerFound(t.dataDir, marker)).toEqual([
      'hushdesk.db-wal UTF-8',
      'hushdesk.db-wal UTF-16LE',
      'hushdesk.db-wal base64',
      'hushdesk.db-wal hex',
    ]);
  });

  it('stores descriptions and notes so that neither file holds the marker, before or after a checkpoint', async () => {
    const { t, ann } = await appWithStaff();
    const marker = newMarker();
    for (let i = 0; i < 30; i++) {
      await storeTicketWithPhi(t.app, {
        staffId: ann.id,
        description: `Client ${marker} called about claim ${i}. ${marker}`,
        note: `Spoke with ${marker}; ${'details '.repeat(i * 20)}`,
      });
    }
    // Still in the WAL.
    expect(existsSync(join(t.dataDir, 'hushdesk.db-wal'))).toBe(true);
    expect(markerFound(t.dataDir, marker)).toEqual([]);

    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.app.db);
    expect(markerFound(t.dataDir, marker)).toEqual([]);

    // And the values are all there for whoever holds the key.
    const rows = await t.app.db.selectFrom('tickets').select('description').execute();
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(t.app.phi.decrypt(row.description)).toContain(marker);
  });

  it('holds through the real ticket screens: create, edit, notes and note edits', async () => {
    const { t } = await appWithStaff();
    const marker = newMarker();
    const ann = await signIn(t.app, 'ann');
    for (let i = 0; i < 5; i++) {
      const id = await createTicket(ann, { description: `Client ${marker} visit ${i}` });
      await saveTicket(ann, id, { description: `Updated: ${marker} DOS 11/2${i}` });
      await ann.get(`/tickets/${id}`);
      await ann.post(`/tickets/${id}/notes`, { note: `Called ${marker}` });
      const note = /\/notes\/(\d+)\/edit/.exec((await ann.get(`/tickets/${id}`)).body)?.[1];
      await ann.get(`/tickets/${id}/notes/${note}/edit`);
      await ann.post(`/tickets/${id}/notes/${note}`, { note: `Called ${marker} twice` });
      // The person who may see it reads it back in clear.
      expect((await ann.get(`/tickets/${id}`)).body).toContain(`Called ${marker} twice`);
    }
    expect(markerFound(t.dataDir, marker)).toEqual([]);
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.app.db);
    expect(markerFound(t.dataDir, marker)).toEqual([]);
  });
});
