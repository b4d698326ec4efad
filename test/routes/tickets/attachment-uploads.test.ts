import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachmentsOf,
  countRows,
  createdId,
  newTicketWithFiles,
  useAttachmentsApp,
} from '../../helpers/attachments.js';
import { makeImage, multipartBody, postFiles } from '../../helpers/multipart.js';
import { readable } from '../../helpers/pages.js';
import { createTicket } from '../../helpers/tickets.js';

/** How files arrive: the limits, with a note or the ticket page's Save, and a multipart body gone wrong. */
const w = useAttachmentsApp();

describe('limits', () => {
  /** Opens Settings → Attachments and saves these limits, as the administrator does. */
  async function saveLimits(limits: { fileMb: string; filesPerTicket: string; ticketMb: string }) {
    await w.admin.get('/settings/attachments');
    return w.admin.post('/settings/attachments', limits);
  }
  beforeAll(async () => {
    const saved = await saveLimits({ fileMb: '1', filesPerTicket: '3', ticketMb: '2' });
    expect(saved.statusCode).toBe(303);
  });
  afterAll(() => saveLimits({ fileMb: '10', filesPerTicket: '10', ticketMb: '50' }));

  const mb = (n: number) => Buffer.alloc(Math.round(n * 1024 * 1024), 7);

  it('refuses a file over the largest size, says which, and keeps everything typed', async () => {
    const before = await countRows(w.t);
    const response = await newTicketWithFiles(w.ann, [{ name: 'big.bin', bytes: mb(1.5) }]);
    expect(response.statusCode).toBe(422);
    expect(readable(response.body)).toContain(
      '“big.bin” is larger than 1 MB, the largest file allowed.',
    );
    expect(response.body).toContain('value="Scheduling screen error"');
    expect(response.body).toContain('Client 4411 could not be booked</textarea>');
    expect(await countRows(w.t)).toBe(before);
  });

  it('refuses more files than a ticket holds', async () => {
    const before = await countRows(w.t);
    const files = [1, 2, 3, 4].map((i) => ({ name: `f${i}.txt`, bytes: Buffer.from(`file ${i}`) }));
    const response = await newTicketWithFiles(w.ann, files);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('A ticket can hold 3 files');
    expect(response.body).toContain('Client 4411 could not be booked</textarea>');
    expect(await countRows(w.t)).toBe(before);
  });

  it('refuses files that add up to more than a ticket holds, counting what it has', async () => {
    const first = await newTicketWithFiles(w.ann, [{ name: 'one.bin', bytes: mb(0.9) }]);
    const id = createdId(first.headers.location);
    await w.ann.get(`/tickets/${id}`);
    const response = await postFiles(w.ann, `/tickets/${id}/notes`, { note: 'Two more logs' }, [
      { name: 'two.bin', bytes: mb(0.9) },
      { name: 'three.bin', bytes: mb(0.9) },
    ]);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(
      'The files on a ticket can add up to 2 MB; this one has room for 1.1 MB more.',
    );
    expect(response.body).toContain('Two more logs</textarea>');
    expect(await attachmentsOf(w.t, id)).toHaveLength(1);
  });

  it('validates the limits in Settings beside each field', async () => {
    const response = await saveLimits({ fileMb: '0', filesPerTicket: 'ten', ticketMb: '500' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('The largest file: a whole number from 1 to 25.');
    expect(response.body).toContain('Files on a ticket: a whole number from 1 to 50.');
    expect(response.body).toContain('value="ten"');
  });
});

describe('notes and the ticket page', () => {
  it('adds files with a note, and files on their own', async () => {
    const id = await createTicket(w.ann);
    await w.ann.get(`/tickets/${id}`);
    const noted = await postFiles(w.ann, `/tickets/${id}/notes`, { note: 'See the screenshot' }, [
      { name: 'error.png', bytes: await makeImage() },
    ]);
    expect(noted.statusCode).toBe(303);
    const alone = await postFiles(w.ann, `/tickets/${id}/notes`, { note: '' }, [
      { name: 'log.txt', bytes: Buffer.from('log') },
    ]);
    expect(alone.statusCode).toBe(303);
    expect(alone.headers.location).toBe(`/tickets/${id}?attached=1#timeline`);
    const files = await attachmentsOf(w.t, id);
    expect(files.map((f) => [f.kind, f.note_id === null])).toEqual([
      ['image', false],
      ['file', true],
    ]);
    const page = await w.ann.get(`/tickets/${id}?attached=1`);
    expect(page.body).toContain('Files added.');
    expect(page.body).toContain('class="file-name">error.png<');
    expect(page.body).toContain('class="file-name">log.txt<');
  });

  it('adds files with the ticket page’s Save, as htmx sends it', async () => {
    const id = await createTicket(w.ann);
    const page = await w.ann.get(`/tickets/${id}`);
    const field = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
    const response = await postFiles(
      w.ann,
      `/tickets/${id}`,
      {
        _csrf: '',
        version: field('version'),
        seen_event: field('seen_event'),
        title: 'Printer in billing will not print',
        due_date: '',
        priority: 'none',
        status: 'in_progress',
        description: '',
        assignee: 'self',
        note: '',
      },
      [{ name: 'printer.png', bytes: await makeImage() }],
      { 'hx-request': 'true', 'x-csrf-token': w.ann.csrf },
    );
    expect(response.statusCode, response.body.slice(0, 400)).toBe(200);
    expect(response.body).toContain('Saved. File added.');
    expect(await attachmentsOf(w.t, id)).toHaveLength(1);
  });
});

describe('the upload itself', () => {
  it('refuses a multipart form without its CSRF token, or with it after the file, and keeps nothing', async () => {
    const id = await createTicket(w.ann);
    await w.ann.get(`/tickets/${id}`);
    const before = await countRows(w.t);
    const file = { name: 'x.png', bytes: await makeImage() };
    const none = await postFiles(w.ann, `/tickets/${id}/notes`, { _csrf: '', note: 'hi' }, [file]);
    expect(none.statusCode).toBe(403);
    const wrong = await postFiles(w.ann, `/tickets/${id}/notes`, { _csrf: 'forged', note: 'hi' }, [
      file,
    ]);
    expect(wrong.statusCode).toBe(403);
    // The token after the file: the file would have been read before the check.
    const { body, contentType } = multipartBody([], [file]);
    const late = Buffer.concat([
      body.subarray(0, body.lastIndexOf('--')),
      Buffer.from(`\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${w.ann.csrf}\r\n`),
    ]);
    const after = await w.ann.request({
      method: 'POST',
      url: `/tickets/${id}/notes`,
      payload: late,
      headers: { 'content-type': contentType },
    });
    expect(after.statusCode).toBe(403);
    expect(await countRows(w.t)).toBe(before);
    // Signed out: to sign-in before anything is read.
    const { body: b2, contentType: c2 } = multipartBody([['note', 'x']], [file]);
    const signedOut = await w.t.app.inject({
      method: 'POST',
      url: `/tickets/${id}/notes`,
      payload: b2,
      headers: { 'content-type': c2 },
    });
    expect(signedOut.statusCode).toBe(303);
  });

  it('leaves nothing behind when an upload is cut off midway', async () => {
    const id = await createTicket(w.ann);
    await w.ann.get(`/tickets/${id}`);
    const before = await countRows(w.t);
    const { body, contentType } = multipartBody(
      [
        ['_csrf', w.ann.csrf],
        ['note', 'half'],
      ],
      [{ name: 'big.bin', bytes: Buffer.alloc(200_000, 1) }],
    );
    const cut = await w.ann.request({
      method: 'POST',
      url: `/tickets/${id}/notes`,
      payload: body.subarray(0, 100_000),
      headers: { 'content-type': contentType },
    });
    expect(cut.statusCode).toBe(400);
    expect(await countRows(w.t)).toBe(before);
    const notes = await sql<{
      n: number;
    }>`select count(*) as n from ticket_notes where ticket_id = ${id}`.execute(w.t.app.db);
    expect(Number(notes.rows[0]?.n)).toBe(0);
  });

  it('refuses a multipart body on a route that takes no files', async () => {
    const id = await createTicket(w.ann);
    const { body, contentType } = multipartBody(
      [
        ['_csrf', w.ann.csrf],
        ['status', 'waiting'],
      ],
      [],
    );
    const response = await w.ann.request({
      method: 'POST',
      url: `/tickets/${id}/status`,
      payload: body,
      headers: { 'content-type': contentType, 'x-csrf-token': w.ann.csrf },
    });
    expect(response.statusCode).toBe(415);
  });
});
