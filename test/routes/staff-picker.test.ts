import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renameRole } from '../../src/repositories/roles.js';
import { setStaffActive, updateStaff } from '../../src/repositories/staff.js';
import { addStaff, type Browser, createTestApp, signIn, type TestApp } from '../helpers/app.js';
import { readable } from '../helpers/pages.js';

let t: TestApp;
let me: Browser;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  const add = async (key: string, username: string, options: Parameters<typeof addStaff>[2]) => {
    ids[key] = (await addStaff(t.app, username, options)).id;
  };
  await add('me', 'dee', { name: 'Dee Moss', department: 'Front desk' });
  await add('annBilling', 'alee', { name: 'Ann Lee', department: 'Billing' });
  await add('annIntake', 'annlee2', { name: 'Ann Lee', role: 'champion', department: 'Intake' });
  await add('jose', 'jalvarez', { name: 'José Álvarez', department: 'Clinical' });
  await add('kathleen', 'kashlee', { name: 'Kathleen Ashlee', department: 'Clinical' });
  await add('leePark', 'lpark', { name: 'Lee Park', department: 'Scheduling' });
  await add('zoe', 'zlee', { name: 'Zoë Lee' });
  await add('bo', 'bchen', { name: 'Bo Chen', department: 'Billing' });
  await add('gone', 'leena', { name: 'Leena Gone', department: 'Billing' });
  await add('vendor', 'vlee', { name: 'Vic Lee', role: 'external', department: 'Vendor desk' });
  await setStaffActive(t.app.db, ids.gone as number, false, t.app.now());
  // "marsh" inside a word, and first by name: still after every word-prefix match.
  await add('aaron', 'aaronx', { name: 'Aaron Tmarshton' });
  for (let n = 1; n <= 25; n++) {
    await add(`many${n}`, `tmarsh${n}`, { name: `Tess Marsh ${String(n).padStart(2, '0')}` });
  }
  me = await signIn(t.app, 'dee');
});
afterAll(() => t.close());

/** Quick search as htmx sends it from the Assigned To control. */
async function search(q: string, extra: Record<string, string> = {}) {
  const params = new URLSearchParams({
    field: 'assignee',
    id: 'new-assignee',
    first: 'self',
    assignee: 'self',
    assignee_q: q,
    ...extra,
  });
  const response = await me.htmx('GET', `/staff-picker/options?${params}`);
  expect(response.statusCode).toBe(200);
  return response;
}

/** The options' labels in order, and which are matches of the search. */
function options(body: string) {
  return [
    ...body.matchAll(/<option value="([^"]*)"( selected)?( data-match)?>([^<]*)<\/option>/g),
  ].map(([, value, selected, match, label]) => ({
    value,
    label,
    selected: Boolean(selected),
    match: Boolean(match),
  }));
}
const matches = (body: string) =>
  options(body)
    .filter((o) => o.match)
    .map((o) => o.label);
const status = (body: string) =>
  /<span id="new-assignee-status" hx-swap-oob="innerHTML">([^<]*)<\/span>/.exec(
    readable(body),
  )?.[1];

describe('quick search of staff', () => {
  it('answers htmx with only the options and the status beside the field', async () => {
    const r = await search('bo');
    expect(r.body).not.toContain('<html');
    // [self] stays offered first, but the match is what a search then Save means.
    expect(r.body.trim()).toMatch(/^<option value="self">\[self\]<\/option>/);
    expect(matches(r.body)).toEqual(['Bo Chen · Staff · Billing']);
    expect(r.body).toMatch(/<option value="\d+" selected data-match>Bo Chen · Staff · Billing/);
    expect(status(r.body)).toBe('1 person matches “bo”, now chosen in the drop-down.');
  });

  it('ignores accents and case, in the name and in what is typed', async () => {
    for (const q of ['jose', 'JOSE', 'José', 'álvarez', 'ALVAREZ']) {
      expect(matches((await search(q)).body), q).toEqual(['José Álvarez · Staff · Clinical']);
    }
    expect(matches((await search('zoe')).body)).toEqual(['Zoë Lee · Staff']);
  });

  it('matches any word of the name and the username', async () => {
    expect(matches((await search('park')).body)).toEqual(['Lee Park · Staff · Scheduling']);
    expect(matches((await search('bche')).body)).toEqual(['Bo Chen · Staff · Billing']);
    expect(matches((await search('ann lee')).body)).toEqual([
      'Ann Lee · Staff · Billing',
      'Ann Lee · Champion · Intake',
    ]);
  });

  it('lists word-prefix matches first, then substrings, each in name order', async () => {
    const found = matches((await search('lee')).body);
    expect(found).toEqual([
      'Ann Lee · Staff · Billing',
      'Ann Lee · Champion · Intake',
      'Lee Park · Staff · Scheduling',
      'Zoë Lee · Staff',
      // "lee" only inside a word: Kathleen, Ashlee.
      'Kathleen Ashlee · Staff · Clinical',
    ]);
  });

  it('tells namesakes apart by role and department', async () => {
    const found = matches((await search('ann')).body);
    expect(found).toContain('Ann Lee · Staff · Billing');
    expect(found).toContain('Ann Lee · Champion · Intake');
    const values = options((await search('ann')).body)
      .filter((o) => o.match)
      .map((o) => Number(o.value));
    expect(values).toEqual([ids.annBilling, ids.annIntake]);
  });

  it('never shows inactive staff', async () => {
    expect(matches((await search('leena')).body)).toEqual([]);
    expect(matches((await search('lee')).body).join()).not.toContain('Leena');
  });

  it('never offers external support accounts, and does not answer them', async () => {
    expect(matches((await search('vic')).body)).toEqual([]);
    const vendor = await signIn(t.app, 'vlee');
    for (const url of ['/staff-picker/options?assignee_q=lee', '/staff-picker/pick-list']) {
      // External support reaches only its own short list of routes (src/staff/external.ts).
      expect((await vendor.htmx('GET', url)).statusCode, url).toBe(403);
      expect((await vendor.get(url)).statusCode, url).toBe(403);
    }
  });

  it('says so when nobody matches, keeping [self]', async () => {
    const r = await search('xyz');
    expect(status(r.body)).toBe('No staff match “xyz”.');
    expect(options(r.body)).toEqual([
      { value: 'self', label: '[self]', selected: true, match: false },
    ]);
  });

  it('shows at most 20, says there are more, and asks for more of the name', async () => {
    const r = await search('marsh');
    const found = matches(r.body);
    expect(found).toHaveLength(20);
    expect(found[0]).toBe('Tess Marsh 01 · Staff');
    expect(found[19]).toBe('Tess Marsh 20 · Staff');
    expect(found.join()).not.toContain('Aaron');
    // "2" starts a word of 20 to 25 but sits inside 02 and 12: those come last.
    expect(matches((await search('marsh 2')).body)).toEqual(
      ['20', '21', '22', '23', '24', '25', '02', '12'].map((n) => `Tess Marsh ${n} · Staff`),
    );
    // Only substrings: name order, Aaron first.
    expect(matches((await search('arsh')).body)[0]).toBe('Aaron Tmarshton · Staff');
    expect(status(r.body)).toBe(
      'More than 20 people match “marsh”; the first 20 are in the drop-down, the first of them chosen. Type more of the name to narrow it.',
    );
  });

  it('keeps [self] and the current choice offered, and chooses the first match', async () => {
    const r = await search('bo', { assignee: String(ids.zoe) });
    expect(options(r.body)).toEqual([
      { value: 'self', label: '[self]', selected: false, match: false },
      { value: String(ids.zoe), label: 'Zoë Lee · Staff', selected: false, match: false },
      { value: String(ids.bo), label: 'Bo Chen · Staff · Billing', selected: true, match: true },
    ]);
    // The current choice is itself the first match: it stays chosen.
    const same = await search('zo', { assignee: String(ids.zoe) });
    expect(options(same.body).filter((o) => o.selected)).toEqual([
      { value: String(ids.zoe), label: 'Zoë Lee · Staff', selected: true, match: false },
    ]);
  });

  it('asks for a name when nothing is typed, and escapes what is', async () => {
    expect(status((await search('  ')).body)).toBe(
      'Type part of a name, then press Tab or Search.',
    );
    const r = await search('<b>x</b>');
    expect(readable(r.body)).toContain('No staff match “&lt;b&gt;x&lt;/b&gt;”.');
    expect(r.body).not.toContain('<b>');
  });

  it('serves a picker without [self] (associated staff), with its own field and id', async () => {
    const r = await me.htmx(
      'GET',
      '/staff-picker/options?field=associate&id=associate&first=choose&associate=&associate_q=park',
    );
    expect(options(r.body)[0]).toEqual({
      value: '',
      label: 'Choose a person',
      selected: false,
      match: false,
    });
    expect(matches(r.body)).toEqual(['Lee Park · Staff · Scheduling']);
    expect(r.body).toContain('<span id="associate-status" hx-swap-oob="innerHTML">');
    // Names and ids that are not a field's or an element's are not echoed.
    const odd = await me.htmx('GET', '/staff-picker/options?field=x%22y&id=%3Cb%3E&x%22y_q=bo');
    expect(odd.body).toContain('<span id="assignee-status"');
  });

  it('is a page of its own without htmx', async () => {
    const r = await me.get('/staff-picker/options?field=assignee&assignee_q=park');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<html');
    expect(r.body).toContain('<li>Lee Park · Staff · Scheduling</li>');
  });

  it('follows every change to staff at once: rename, role rename, deactivation, return', async () => {
    await updateStaff(
      t.app.db,
      ids.bo as number,
      {
        name: 'Bo Chenowith',
        username: 'bchen',
        email: 'bo@example.org',
        roleId: 3,
        department: 'Billing',
      },
      t.app.now(),
    );
    expect(matches((await search('chenow')).body)).toEqual(['Bo Chenowith · Staff · Billing']);

    const role = await t.app.db
      .selectFrom('roles')
      .select('id')
      .where('key', '=', 'champion')
      .executeTakeFirstOrThrow();
    await renameRole(t.app.db, role.id, 'Helper');
    expect(matches((await search('annlee2')).body)).toEqual(['Ann Lee · Helper · Intake']);
    await renameRole(t.app.db, role.id, 'Champion');

    await setStaffActive(t.app.db, ids.leePark as number, false, t.app.now());
    expect(matches((await search('park')).body)).toEqual([]);
    // Even a change made straight in the tables (another process, a script) is seen.
    await t.app.db
      .updateTable('staff')
      .set({ active: 1 })
      .where('id', '=', ids.leePark as number)
      .execute();
    expect(matches((await search('park')).body)).toEqual(['Lee Park · Staff · Scheduling']);
  });
});

describe('the pick list', () => {
  it('opens as a dialog of everyone active, by department, each with their role', async () => {
    const r = await me.htmx(
      'GET',
      '/staff-picker/pick-list?field=assignee&id=new-assignee&first=self',
    );
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatch(/^<dialog class="pick-list" data-open data-pick-for="new-assignee"/);
    const departments = [...r.body.matchAll(/<h3 id="[^"]+">([^<]*)<\/h3>/g)].map((m) => m[1]);
    expect(departments).toEqual([
      'Billing',
      'Clinical',
      'Front desk',
      'Intake',
      'Scheduling',
      'No department',
    ]);
    expect(r.body).toContain('data-pick="self"');
    expect(r.body).toMatch(
      new RegExp(
        `data-pick="${ids.annIntake}" data-label="Ann Lee · Champion · Intake">Ann Lee</button>`,
      ),
    );
    expect(r.body).not.toContain('Leena');
    expect(r.body).toContain('autofocus');
    // The filter looks through names and departments; sign-in names stay off the page.
    expect(r.body).toContain('<li data-key="ann lee intake">');
    expect(r.body).not.toContain('annlee2');
  });

  it('is a plain staff page without htmx', async () => {
    const r = await me.get('/staff-picker/pick-list');
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('<h1>Staff</h1>');
    expect(r.body).toContain('José Álvarez');
  });
});
