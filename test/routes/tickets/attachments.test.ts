import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addStaff, signIn } from '../../helpers/app.js';
import {
  attachmentsOf,
  createdId,
  newTicketWithFiles,
  useAttachmentsApp,
} from '../../helpers/attachments.js';
import { makeImage } from '../../helpers/multipart.js';
import { readable } from '../../helpers/pages.js';
import { createTicket } from '../../helpers/tickets.js';

/** Files with a ticket: adding them in the ticket window, serving them safely, and who may see them. */
const w = useAttachmentsApp();

describe('adding files in the ticket window', () => {
  it('saves a pasted screenshot with the ticket and shows its thumbnail on the ticket page', async () => {
    const png = await makeImage();
    const response = await newTicketWithFiles(w.ann, [
      { name: 'image.png', bytes: png, type: 'image/png' },
    ]);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(w.t, id);
    expect(file).toMatchObject({ kind: 'image', content_type: 'image/png', note_id: null });
    const page = await w.ann.get(`/tickets/${id}`);
    expect(page.body).toContain(`/tickets/${id}/attachments/${file?.id}/thumbnail`);
    expect(page.body).toContain('added 1 file');
    const thumb = await w.ann.get(`/tickets/${id}/attachments/${file?.id}/thumbnail`);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumb.rawPayload).metadata()).format).toBe('webp');
  });

  it('serves every file with the headers that keep it from running', async () => {
    const response = await newTicketWithFiles(w.ann, [
      { name: 'shot.png', bytes: await makeImage() },
      { name: 'Smith DOB report.pdf', bytes: Buffer.from('%PDF-1.4\n%fake but labelled\n') },
    ]);
    const id = createdId(response.headers.location);
    const [image, pdf] = await attachmentsOf(w.t, id);
    const shown = await w.ann.get(`/tickets/${id}/attachments/${image?.id}`);
    expect(shown.headers).toMatchObject({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'no-store',
    });
    expect(shown.headers['content-disposition']).toMatch(/^inline; /);
    const download = await w.ann.get(`/tickets/${id}/attachments/${pdf?.id}`);
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
    const response = await newTicketWithFiles(w.ann, [
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
    const files = await attachmentsOf(w.t, id);
    expect(files).toHaveLength(4);
    for (const file of files) {
      expect(file).toMatchObject({ kind: 'file', content_type: 'application/octet-stream' });
      const served = await w.ann.get(`/tickets/${id}/attachments/${file.id}`);
      expect(served.headers['content-type']).toBe('application/octet-stream');
      expect(served.headers['content-disposition']).toMatch(/^attachment; /);
      expect(served.headers['x-content-type-options']).toBe('nosniff');
      expect((await w.ann.get(`/tickets/${id}/attachments/${file.id}/thumbnail`)).statusCode).toBe(
        404,
      );
    }
    const page = await w.ann.get(`/tickets/${id}`);
    expect(page.body).not.toContain(`/attachments/${files[0]?.id}/thumbnail`);
  });

  it('re-encodes images: orientation applied, EXIF and GPS dropped', async () => {
    const jpeg = await makeImage({ format: 'jpeg', width: 64, height: 40, exif: true });
    const before = await sharp(jpeg).metadata();
    expect(before.exif?.includes(Buffer.from('GPS-Leak-9000'))).toBe(true);
    expect(before.orientation).toBe(6);
    const response = await newTicketWithFiles(w.ann, [{ name: 'photo.jpg', bytes: jpeg }]);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(w.t, id);
    const served = await w.ann.get(`/tickets/${id}/attachments/${file?.id}`);
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
    const response = await newTicketWithFiles(w.ann, [{ name, bytes: Buffer.from('hello') }]);
    const id = createdId(response.headers.location);
    const page = await w.ann.get(`/tickets/${id}`);
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(page.body).not.toContain('<img src=x');
    const [file] = await attachmentsOf(w.t, id);
    const served = await w.ann.get(`/tickets/${id}/attachments/${file?.id}`);
    expect(served.headers['content-disposition']).toBe(
      `attachment; filename="_img src_x onerror_alert_1__.pdf"; filename*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.pdf`,
    );
  });

  it('keeps a path out of the name, and any language in it', async () => {
    const response = await newTicketWithFiles(w.ann, [
      { name: '../../etc/passwd', bytes: Buffer.from('x') },
      { name: 'Überweisung 日本.pdf', bytes: Buffer.from('y') },
    ]);
    const id = createdId(response.headers.location);
    const page = (await w.ann.get(`/tickets/${id}`)).body;
    expect(page).toMatch(/class="file-name">passwd</);
    expect(readable(page)).toContain('class="file-name">Überweisung 日本.pdf<');
  });

  it('lets External support see the files of a ticket sent to the desk, and no other', async () => {
    await addStaff(w.t.app, 'desk', { role: 'external' });
    const desk = await signIn(w.t.app, 'desk');
    const response = await newTicketWithFiles(w.ann, [{ name: 'e.png', bytes: await makeImage() }]);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(w.t, id);
    const url = `/tickets/${id}/attachments/${file?.id}/thumbnail`;
    expect((await desk.get(url)).statusCode).toBe(404);
    await w.t.app.db
      .insertInto('ticket_escalations')
      .values({
        ticket_id: id,
        desk_name: 'Procentive Support',
        desk_email: 'support@vendor.example',
        sent_by: 1,
        sent_at: w.t.app.now().toISOString(),
      })
      .execute();
    expect((await desk.get(url)).statusCode).toBe(200);
  });
});

describe('who may see a file', () => {
  it('answers 404 to someone who may not see the ticket, on the file and on its thumbnail, and audits every view', async () => {
    const response = await newTicketWithFiles(w.ann, [{ name: 'a.png', bytes: await makeImage() }]);
    const id = createdId(response.headers.location);
    const [file] = await attachmentsOf(w.t, id);
    const urls = [
      `/tickets/${id}/attachments/${file?.id}`,
      `/tickets/${id}/attachments/${file?.id}/thumbnail`,
    ];
    const mainOf = (body: string) => /<main[\s\S]*<\/main>/.exec(body)?.[0];
    const missing = await w.bob.get('/tickets/999999');
    for (const url of urls) {
      const refused = await w.bob.get(url);
      expect(refused.statusCode).toBe(404);
      expect(mainOf(refused.body)).toBe(mainOf(missing.body));
    }
    // The file of another ticket, named under a ticket the person can see: 404 too.
    const own = await createTicket(w.bob);
    expect((await w.bob.get(`/tickets/${own}/attachments/${file?.id}`)).statusCode).toBe(404);

    const auditBefore = await w.t.app.db
      .selectFrom('audit_log')
      .select(['action', 'detail', 'staff_id'])
      .where('ticket_id', '=', id)
      .where('action', '=', 'attachment-viewed')
      .execute();
    expect(auditBefore).toEqual([]);
    for (const url of urls) expect((await w.admin.get(url)).statusCode).toBe(200);
    await w.ann.get(urls[0] ?? '');
    const rows = await w.t.app.db
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
