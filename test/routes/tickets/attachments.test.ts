import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../../helpers/app.js';
import { makeImage, multipartBody, postFiles } from '../../helpers/multipart.js';
import { createTicket } from '../../helpers/tickets.js';

let t: TestApp;
let ann: Browser;
let bob: Browser;
let admin: Browser;

beforeAll(async () => {
  t = await createTestApp();
  await addStaff(t.app, 'ann');
  await addStaff(t.app, 'bob');
  await addStaff(t.app, 'ada', { role: 'admin' });
  ann = await signIn(t.app, 'ann');
  bob = await signIn(t.app, 'bob');
  admin = await signIn(t.app, 'ada');
});
afterAll(() => t.close());

const TICKET = {
  title: 'Scheduling screen error',
  due_date: '',
  priority: 'none',
  description: 'Client 4411 could not be booked',
  assignee: 'self',
};

/** Posts the ticket window with files, as the browser does once the window is open. */
async function newTicketWithFiles(browser: Browser, files: Parameters<typeof postFiles>[3]) {
  await browser.get('/tickets/new');
  return postFiles(browser, '/tickets', TICKET, files);
}

const createdId = (location: unknown) => Number(/^\/tickets\/(\d+)/.exec(String(location))?.[1]);

async function attachmentsOf(ticketId: number) {
  return t.app.db
    .selectFrom('ticket_attachments')
    .select(['id', 'kind', 'content_type', 'size', 'note_id'])
    .where('ticket_id', '=', ticketId)
    .orderBy('id')
    .execute();
}

const countRows = async () =>
  Number(
    (
      await t.app.db
        .selectFrom('ticket_attachments')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('adding files in the ticket window', () => {
  it('saves a pasted screenshot with the ticket and shows its thumbnail on the ticket page', async () => {
    const png = await makeImage();
    const response = await newTicketWithFiles(ann, [
      { name: 'image.png', bytes: png, type: 'image/png' },
    ]);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(id);
    expect(file).toMatchObject({ kind: 'image', content_type: 'image/png', note_id: null });
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toContain(`/tickets/${id}/attachments/${file?.id}/thumbnail`);
    expect(page.body).toContain('added 1 file');
    const thumb = await ann.get(`/tickets/${id}/attachments/${file?.id}/thumbnail`);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumb.rawPayload).metadata()).format).toBe('webp');
  });

  it('serves every file with the headers that keep it from running', async () => {
    const response = await newTicketWithFiles(ann, [
      { name: 'shot.png', bytes: await makeImage() },
      { name: 'Smith DOB report.pdf', bytes: Buffer.from('%PDF-1.4\n%fake but labelled\n') },
    ]);
    const id = createdId(response.headers.location);
    const [image, pdf] = await attachmentsOf(id);
    const shown = await ann.get(`/tickets/${id}/attachments/${image?.id}`);
    expect(shown.headers).toMatchObject({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'no-store',
    });
    expect(shown.headers['content-disposition']).toMatch(/^inline; /);
    const download = await ann.get(`/tickets/${id}/attachments/${pdf?.id}`);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="Smith DOB report.pdf"; filename*=UTF-8''Smith%20DOB%20report.pdf`,
    );
    expect(download.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(download.headers['cache-control']).toBe('no-store');
    expect(download.body).toContain('%PDF-1.4');
  });

  it('never serves HTML or SVG inline, whatever the name or the claimed type', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
    );
    const response = await newTicketWithFiles(ann, [
      { name: 'screenshot.png', bytes: html, type: 'image/png' },
      { name: 'chart.svg', bytes: svg, type: 'image/svg+xml' },
      { name: 'page.html', bytes: html, type: 'text/html' },
      // A PNG signature followed by HTML: the bytes do not decode as an image.
      {
        name: 'polyglot.png',
        bytes: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), html]),
        type: 'image/png',
      },
    ]);
    expect(response.statusCode).toBe(303);
    const id = createdId(response.headers.location);
    const files = await attachmentsOf(id);
    expect(files).toHaveLength(4);
    for (const file of files) {
      expect(file).toMatchObject({ kind: 'file', content_type: 'application/octet-stream' });
      const served = await ann.get(`/tickets/${id}/attachments/${file.id}`);
      expect(served.headers['content-type']).toBe('application/octet-stream');
      expect(served.headers['content-disposition']).toMatch(/^attachment; /);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect((await ann.get(`/tickets/${id}/attachments/${file.id}/thumbnail`)).statusCode).toBe(
        404,
      );
    }
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).not.toContain(`/attachments/${files[0]?.id}/thumbnail`);
  });

  it('re-encodes images: orientation applied, EXIF and GPS dropped', async () => {
    const jpeg = await makeImage({ format: 'jpeg', width: 64, height: 40, exif: true });
    const before = await sharp(jpeg).metadata();
    expect(before.exif?.includes(Buffer.from('GPS-Leak-9000'))).toBe(true);
    expect(before.orientation).toBe(6);
    const response = await newTicketWithFiles(ann, [{ name: 'photo.jpg', bytes: jpeg }]);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(id);
    const served = await ann.get(`/tickets/${id}/attachments/${file?.id}`);
    expect(served.headers['content-type']).toBe('image/jpeg');
    const after = await sharp(served.rawPayload).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation ?? 1).toBe(1);
    // Orientation 6 turns the 64×40 picture upright: 40×64.
    expect([after.width, after.height]).toEqual([40, 64]);
    expect(served.rawPayload.includes(Buffer.from('GPS-Leak-9000'))).toBe(false);
    expect(served.rawPayload.includes(Buffer.from('MarkerCam'))).toBe(false);
  });

  it('shows a name with markup escaped and never puts it in an address', async () => {
    const name = '<img src=x onerror=alert(1)>.pdf';
    const response = await newTicketWithFiles(ann, [{ name, bytes: Buffer.from('hello') }]);
    const id = createdId(response.headers.location);
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(page.body).not.toContain('<img src=x');
    const [file] = await attachmentsOf(id);
    const served = await ann.get(`/tickets/${id}/attachments/${file?.id}`);
    expect(served.headers['content-disposition']).toBe(
      `attachment; filename="_img src_x onerror_alert_1__.pdf"; filename*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.pdf`,
    );
  });

  it('keeps a path out of the name, and any language in it', async () => {
    const response = await newTicketWithFiles(ann, [
      { name: '../../etc/passwd', bytes: Buffer.from('x') },
      { name: 'Überweisung 日本.pdf', bytes: Buffer.from('y') },
    ]);
    const id = createdId(response.headers.location);
    const page = (await ann.get(`/tickets/${id}`)).body;
    expect(page).toMatch(/class="file-name">passwd</);
    expect(page).toContain('class="file-name">Überweisung 日本.pdf<');
  });

  it('lets External support see the files of a ticket sent to the desk, and no other', async () => {
    await addStaff(t.app, 'desk', { role: 'external' });
    const desk = await signIn(t.app, 'desk');
    const response = await newTicketWithFiles(ann, [{ name: 'e.png', bytes: await makeImage() }]);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(id);
    const url = `/tickets/${id}/attachments/${file?.id}/thumbnail`;
    expect((await desk.get(url)).statusCode).toBe(404);
    await t.app.db
      .insertInto('ticket_escalations')
      .values({
        ticket_id: id,
        desk_name: 'Procentive Support',
        desk_email: 'support@vendor.example',
        sent_by: 1,
        sent_at: t.app.now().toISOString(),
      })
      .execute();
    expect((await desk.get(url)).statusCode).toBe(200);
  });
});

describe('who may see a file', () => {
  it('answers 404 to someone who may not see the ticket, on the file and on its thumbnail, and audits every view', async () => {
    const response = await newTicketWithFiles(ann, [{ name: 'a.png', bytes: await makeImage() }]);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(id);
    const urls = [
      `/tickets/${id}/attachments/${file?.id}`,
      `/tickets/${id}/attachments/${file?.id}/thumbnail`,
    ];
    const mainOf = (body: string) => /<main[\s\S]*<\/main>/.exec(body)?.[0];
    const missing = await bob.get('/tickets/999999');
    for (const url of urls) {
      const refused = await bob.get(url);
      expect(refused.statusCode).toBe(404);
      expect(mainOf(refused.body)).toBe(mainOf(missing.body));
    }
    // The file of another ticket, named under a ticket the person can see: 404 too.
    const own = await createTicket(bob);
    expect((await bob.get(`/tickets/${own}/attachments/${file?.id}`)).statusCode).toBe(404);

    const auditBefore = await t.app.db
      .selectFrom('audit_log')
      .select(['action', 'detail', 'staff_id'])
      .where('ticket_id', '=', id)
      .where('action', '=', 'attachment-viewed')
      .execute();
    expect(auditBefore).toEqual([]);
    for (const url of urls) expect((await admin.get(url)).statusCode).toBe(200);
    await ann.get(urls[0] ?? '');
    const rows = await t.app.db
      .selectFrom('audit_log')
      .select(['action', 'detail', 'staff_id'])
      .where('ticket_id', '=', id)
      .where('action', '=', 'attachment-viewed')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.detail)).toEqual([
      `file ${file?.id}, shown`,
      `file ${file?.id}, thumbnail`,
      `file ${file?.id}, shown`,
    ]);
  });
});

describe('limits', () => {
  beforeAll(async () => {
    await admin.get('/settings/attachments');
    const saved = await admin.post('/settings/attachments', {
      fileMb: '1',
      filesPerTicket: '3',
      ticketMb: '2',
    });
    expect(saved.statusCode).toBe(303);
  });
  afterAll(async () => {
    await admin.get('/settings/attachments');
    await admin.post('/settings/attachments', {
      fileMb: '10',
      filesPerTicket: '10',
      ticketMb: '50',
    });
  });

  const mb = (n: number) => Buffer.alloc(Math.round(n * 1024 * 1024), 7);

  it('refuses a file over the largest size, says which, and keeps everything typed', async () => {
    const before = await countRows();
    const response = await newTicketWithFiles(ann, [{ name: 'big.bin', bytes: mb(1.5) }]);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('“big.bin” is larger than 1 MB, the largest file allowed.');
    expect(response.body).toContain('value="Scheduling screen error"');
    expect(response.body).toContain('Client 4411 could not be booked</textarea>');
    expect(await countRows()).toBe(before);
  });

  it('refuses more files than a ticket holds', async () => {
    const before = await countRows();
    const files = [1, 2, 3, 4].map((i) => ({ name: `f${i}.txt`, bytes: Buffer.from(`file ${i}`) }));
    const response = await newTicketWithFiles(ann, files);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('A ticket can hold 3 files');
    expect(response.body).toContain('Client 4411 could not be booked</textarea>');
    expect(await countRows()).toBe(before);
  });

  it('refuses files that add up to more than a ticket holds, counting what it has', async () => {
    const first = await newTicketWithFiles(ann, [{ name: 'one.bin', bytes: mb(0.9) }]);
    const id = createdId(first.headers.location);
    await ann.get(`/tickets/${id}`);
    const response = await postFiles(ann, `/tickets/${id}/notes`, { note: 'Two more logs' }, [
      { name: 'two.bin', bytes: mb(0.9) },
      { name: 'three.bin', bytes: mb(0.9) },
    ]);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(
      'The files on a ticket can add up to 2 MB; this one has room for 1.1 MB more.',
    );
    expect(response.body).toContain('Two more logs</textarea>');
    expect(await attachmentsOf(id)).toHaveLength(1);
  });

  it('validates the limits in Settings beside each field', async () => {
    await admin.get('/settings/attachments');
    const response = await admin.post('/settings/attachments', {
      fileMb: '0',
      filesPerTicket: 'ten',
      ticketMb: '500',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('The largest file: a whole number from 1 to 25.');
    expect(response.body).toContain('Files on a ticket: a whole number from 1 to 50.');
    expect(response.body).toContain('value="ten"');
  });
});

describe('notes and the ticket page', () => {
  it('adds files with a note, and files on their own', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const noted = await postFiles(ann, `/tickets/${id}/notes`, { note: 'See the screenshot' }, [
      { name: 'error.png', bytes: await makeImage() },
    ]);
    expect(noted.statusCode).toBe(303);
    const alone = await postFiles(ann, `/tickets/${id}/notes`, { note: '' }, [
      { name: 'log.txt', bytes: Buffer.from('log') },
    ]);
    expect(alone.statusCode).toBe(303);
    expect(alone.headers.location).toBe(`/tickets/${id}?attached=1#timeline`);
    const files = await attachmentsOf(id);
    expect(files.map((f) => [f.kind, f.note_id === null])).toEqual([
      ['image', false],
      ['file', true],
    ]);
    const page = await ann.get(`/tickets/${id}?attached=1`);
    expect(page.body).toContain('Files added.');
    expect(page.body).toContain('class="file-name">error.png<');
    expect(page.body).toContain('class="file-name">log.txt<');
  });

  it('adds files with the ticket page’s Save, as htmx sends it', async () => {
    const id = await createTicket(ann);
    const page = await ann.get(`/tickets/${id}`);
    const field = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
    const response = await postFiles(
      ann,
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
      { 'hx-request': 'true', 'x-csrf-token': ann.csrf },
    );
    expect(response.statusCode, response.body.slice(0, 400)).toBe(200);
    expect(response.body).toContain('Saved. File added.');
    expect(await attachmentsOf(id)).toHaveLength(1);
  });
});

describe('the upload itself', () => {
  it('refuses a multipart form without its CSRF token, or with it after the file, and keeps nothing', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const before = await countRows();
    const file = { name: 'x.png', bytes: await makeImage() };
    const none = await postFiles(ann, `/tickets/${id}/notes`, { _csrf: '', note: 'hi' }, [file]);
    expect(none.statusCode).toBe(403);
    const wrong = await postFiles(ann, `/tickets/${id}/notes`, { _csrf: 'forged', note: 'hi' }, [
      file,
    ]);
    expect(wrong.statusCode).toBe(403);
    // The token after the file: the file would have been read before the check.
    const { body, contentType } = multipartBody([], [file]);
    const late = Buffer.concat([
      body.subarray(0, body.lastIndexOf('--')),
      Buffer.from(`\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${ann.csrf}\r\n`),
    ]);
    const after = await ann.request({
      method: 'POST',
      url: `/tickets/${id}/notes`,
      payload: late,
      headers: { 'content-type': contentType },
    });
    expect(after.statusCode).toBe(403);
    expect(await countRows()).toBe(before);
    // Signed out: to sign-in before anything is read.
    const { body: b2, contentType: c2 } = multipartBody([['note', 'x']], [file]);
    const signedOut = await t.app.inject({
      method: 'POST',
      url: `/tickets/${id}/notes`,
      payload: b2,
      headers: { 'content-type': c2 },
    });
    expect(signedOut.statusCode).toBe(303);
  });

  it('leaves nothing behind when an upload is cut off midway', async () => {
    const id = await createTicket(ann);
    await ann.get(`/tickets/${id}`);
    const before = await countRows();
    const { body, contentType } = multipartBody(
      [
        ['_csrf', ann.csrf],
        ['note', 'half'],
      ],
      [{ name: 'big.bin', bytes: Buffer.alloc(200_000, 1) }],
    );
    const cut = await ann.request({
      method: 'POST',
      url: `/tickets/${id}/notes`,
      payload: body.subarray(0, 100_000),
      headers: { 'content-type': contentType },
    });
    expect(cut.statusCode).toBe(400);
    expect(await countRows()).toBe(before);
    const notes = await sql<{
      n: number;
    }>`select count(*) as n from ticket_notes where ticket_id = ${id}`.execute(t.app.db);
    expect(Number(notes.rows[0]?.n)).toBe(0);
  });

  it('refuses a multipart body on a route that takes no files', async () => {
    const id = await createTicket(ann);
    const { body, contentType } = multipartBody(
      [
        ['_csrf', ann.csrf],
        ['status', 'waiting'],
      ],
      [],
    );
    const response = await ann.request({
      method: 'POST',
      url: `/tickets/${id}/status`,
      payload: body,
      headers: { 'content-type': contentType, 'x-csrf-token': ann.csrf },
    });
    expect(response.statusCode).toBe(415);
  });
});
