import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/root.js';
import { HELP_BUTTON_FILE } from '../../src/web/help/button-asset.js';
import { Browser, createTestAppWith, PASSWORD, signIn, type TestApp } from '../helpers/app.js';
import { storedTicket } from '../helpers/db.js';
import { readable } from '../helpers/pages.js';

let t: TestApp;
let ann: Browser;
let admin: Browser;

beforeAll(async () => {
  t = await createTestAppWith({
    ann: { name: 'Ann Lee' },
    bo: { name: 'Bo Chen' },
    ada: { name: 'Ada Admin', role: 'admin' },
  });
  ann = await signIn(t.app, 'ann');
  admin = await signIn(t.app, 'ada');
});
afterAll(() => t.close());

const WINDOW = '/help/new?host=ehr.example&path=%2Fclients%2F%3Aid%2Fnotes';
const ticketForm = {
  title: 'Notes screen will not save',
  due_date: '',
  priority: 'none',
  status: 'new',
  description: 'Client 4411, visit of 11/02',
  assignee: 'self',
};

async function fileFromWindow(browser: Browser, fields: Record<string, string> = {}) {
  await browser.get(WINDOW);
  return browser.post('/tickets', {
    ...ticketForm,
    opened_from: '/clients/:id/notes',
    opened_from_host: 'ehr.example',
    ...fields,
  });
}

describe('the Help window for another application', () => {
  it('opens the ticket window on a page of its own, saying where it was opened from', async () => {
    const page = await ann.get(WINDOW);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Opened from: ehr.example /clients/:id/notes');
    expect(page.body).toContain('name="opened_from" value="/clients/:id/notes"');
    expect(page.body).toContain('name="opened_from_host" value="ehr.example"');
    expect(page.body).toContain('/static/js/help-window.js');
    // No menu, no Help button of its own: it is the Help window.
    expect(page.body).not.toContain('aria-label="Main"');
    expect(page.headers['cache-control']).toBe('no-store');
    // hushdesk is still never framed.
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('cleans an uncleaned path and drops anything else by redirecting to the clean address', async () => {
    const raw = `/help/new?host=EHR.example&path=${encodeURIComponent('/clients/4411/notes?dos=11-02#x')}&token=abc`;
    const response = await ann.get(raw);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(WINDOW);
    const odd = await ann.get(
      `/help/new?host=ehr.example&path=${encodeURIComponent('/a%2Fb/%E0%A4%A/3f2b1c9e-8a4d-4e6f-9b1a-2c3d4e5f6a7b')}`,
    );
    expect(odd.headers.location).toBe(
      `/help/new?host=ehr.example&path=${encodeURIComponent('/:id/:id/:id')}`,
    );
    const overlong = await ann.get(
      `/help/new?host=ehr.example&path=${encodeURIComponent(`/${'clients/'.repeat(400)}`)}`,
    );
    expect(overlong.headers.location).toBe('/help/new?host=ehr.example&path=%2F');
    const noPath = await ann.get('/help/new?host=ehr.example');
    expect(noPath.headers.location).toBe('/help/new?host=ehr.example&path=%2F');
  });

  it('refuses a window without a valid host, never with a 500', async () => {
    for (const query of [
      '',
      '?path=%2Fclients',
      '?host=',
      '?host=https%3A%2F%2Fehr.example',
      '?host=ehr.example&host=evil.example',
      `?host=${'a'.repeat(300)}`,
      '?host=%ZZ',
      '?host[x]=1',
    ]) {
      const response = await ann.get(`/help/new${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.body, query).toContain('Help link not valid');
    }
  });

  it('takes a signed-out window through sign-in and back', async () => {
    const fresh = new Browser(t.app);
    const first = await fresh.get(WINDOW);
    expect(first.statusCode).toBe(303);
    const signInUrl = String(first.headers.location);
    expect(signInUrl).toBe(`/sign-in?next=${encodeURIComponent(WINDOW)}`);
    const form = await fresh.get(signInUrl);
    expect(form.body).toContain(`name="next" value="${WINDOW.replaceAll('&', '&amp;')}"`);
    const signedIn = await fresh.post('/sign-in', {
      username: 'bo',
      password: PASSWORD,
      next: WINDOW,
    });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe(WINDOW);
    const window = await fresh.get(WINDOW);
    expect(window.statusCode).toBe(200);
    expect(window.body).toContain('Opened from: ehr.example /clients/:id/notes');
  });
});

describe('saving from the Help window', () => {
  it('stores the host and a path cleaned again on the server, then shows Ticket #N created', async () => {
    const response = await fileFromWindow(ann, {
      opened_from: '/clients/4411/notes?dos=11-02',
      opened_from_host: 'EHR.example',
    });
    expect(response.statusCode).toBe(303);
    const id = Number(
      /^\/help\/tickets\/(\d+)\/created$/.exec(String(response.headers.location))?.[1],
    );
    const row = await storedTicket(t.app.db, id);
    expect(row).toMatchObject({
      opened_from: '/clients/:id/notes',
      opened_from_host: 'ehr.example',
    });

    const created = await ann.get(`/help/tickets/${id}/created`);
    expect(created.statusCode).toBe(200);
    expect(created.body).toContain(`Ticket #${id} created`);
    expect(created.body).toContain(`href="/tickets/${id}" target="hushdesk"`);
    expect(created.body).toMatch(/data-close-after="\d+"/);
  });

  it('answers an htmx save with a redirect of the whole window', async () => {
    await ann.get(WINDOW);
    const response = await ann.htmx('POST', '/tickets', {
      ...ticketForm,
      opened_from: '/clients/:id/notes',
      opened_from_host: 'ehr.example',
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['hx-redirect']).toMatch(/^\/help\/tickets\/\d+\/created$/);
  });

  it('keeps the window and what was typed when a field is wrong', async () => {
    const response = await fileFromWindow(ann, { title: '' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('name="opened_from_host" value="ehr.example"');
    expect(response.body).toContain('Client 4411, visit of 11/02');
  });

  it('shows the created page only to someone who may see the ticket', async () => {
    const response = await fileFromWindow(ann);
    const path = String(response.headers.location);
    const bo = await signIn(t.app, 'bo');
    expect((await bo.get(path)).statusCode).toBe(404);
    for (const bad of ['0', 'x', '99999', '1e3']) {
      expect((await ann.get(`/help/tickets/${bad}/created`)).statusCode, bad).toBe(404);
    }
  });

  it('leaves hushdesk’s own Help button as it was', async () => {
    await ann.get('/tickets/new?from=/tickets');
    const response = await ann.post('/tickets', { ...ticketForm, opened_from: '/tickets' });
    expect(response.statusCode).toBe(303);
    expect(String(response.headers.location)).toMatch(/^\/tickets\/\d+\?created=1$/);
  });
});

describe('naming the agency’s applications', () => {
  it('shows the name on the ticket page and in the lists once an administrator gives one', async () => {
    const saved = await fileFromWindow(ann, { title: 'Named application ticket' });
    const id = Number(/(\d+)/.exec(String(saved.headers.location))?.[1]);
    const before = await ann.get(`/tickets/${id}`);
    expect(before.body).toContain('<dt>Opened from</dt><dd>ehr.example /clients/:id/notes</dd>');
    expect((await ann.get('/?tab=created')).body).toContain('From ehr.example');

    await admin.get('/settings/applications');
    const response = await admin.post('/settings/applications', {
      names: 'ehr.example Clinical record\nhttps://Billing.Agency.org:8443/ Billing',
    });
    expect(response.statusCode).toBe(303);
    const page = await ann.get(`/tickets/${id}`);
    expect(page.body).toContain(
      '<dt>Opened from</dt><dd>Clinical record (ehr.example) /clients/:id/notes</dd>',
    );
    const list = await ann.get('/?tab=created');
    expect(list.body).toContain('From Clinical record');
    expect((await ann.get(WINDOW)).body).toContain(
      'Opened from: Clinical record (ehr.example) /clients/:id/notes',
    );
    const settings = await admin.get('/settings/applications');
    expect(settings.body).toContain('billing.agency.org:8443 Billing\nehr.example Clinical record');
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select('detail')
      .where('detail', 'like', 'application_names%')
      .execute();
    expect(audit.map((a) => a.detail)).toEqual(['application_names: 0 → 2 named']);
  });

  it('says what is wrong beside the field and keeps what was typed', async () => {
    await admin.get('/settings/applications');
    const typed = 'ehr..example Clinical\nsched.example\nehr.example One\nehr.example Two';
    const response = await admin.post('/settings/applications', { names: typed });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('id="names-error"');
    expect(readable(response.body)).toContain('Line 1: “ehr..example” is not a host');
    expect(response.body).toContain('Line 2: give sched.example a name');
    expect(response.body).toContain('Line 4: ehr.example is named twice.');
    expect(response.body).toContain('ehr..example Clinical\nsched.example');
  });

  it('is for administrators only', async () => {
    expect((await ann.get('/settings/applications')).statusCode).toBe(403);
  });
});

describe('the snippet and the Profile page', () => {
  it('serves the snippet to any origin, cached long, with the integrity shown on Profile and in the README', async () => {
    const file = readFileSync(HELP_BUTTON_FILE);
    const integrity = `sha384-${createHash('sha384').update(file).digest('base64')}`;
    const profile = await ann.get('/profile/help-button');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain(`spellcheck="false">${integrity}</textarea>`);
    const src =
      /&lt;script src=&quot;http:\/\/localhost:3000(\/help\/button-[0-9a-f]{12}\.js)&quot;/.exec(
        profile.body,
      )?.[1];
    expect(src).toBeDefined();
    expect(profile.body).toContain(
      `integrity=&quot;${integrity}&quot; crossorigin=&quot;anonymous&quot;`,
    );
    expect(profile.body).toContain('href="javascript:(function(){');

    const served = await t.app.inject({ url: String(src) });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(file)).toBe(true);
    expect(served.headers['content-type']).toContain('javascript');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.headers['access-control-allow-origin']).toBe('*');
    expect(served.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(served.headers['set-cookie']).toBeUndefined();

    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(String(src));
    expect(readme).toContain(integrity);
  });

  it('links the page from Profile', async () => {
    expect((await ann.get('/profile')).body).toContain('href="/profile/help-button"');
  });

  it('keeps the snippet to the page’s address: it reads no content, cookies or storage', () => {
    const code = readFileSync(HELP_BUTTON_FILE, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    expect(code).not.toMatch(
      /cookie|localStorage|sessionStorage|querySelector|getElementBy|innerHTML|innerText|textContent(?!\s*=)|document\.title|fetch\(|XMLHttpRequest|postMessage|location\.(search|hash|href)/,
    );
    expect(code).toContain('window.location.host');
    expect(code).toContain('window.location.pathname');
  });
});
