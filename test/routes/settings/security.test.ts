import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecuritySettings } from '../../../src/repositories/security-settings.js';
import { createTestAppWith, signIn, type TestApp } from '../../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestAppWith({
    ann: { name: 'Ann Lee', role: 'admin' },
    bo: { role: 'champion' },
  });
});
afterAll(() => t.close());

describe('/settings/security', () => {
  it('is only for manage_settings', async () => {
    const bo = await signIn(t.app, 'bo');
    expect((await bo.get('/settings/security')).statusCode).toBe(403);
    expect((await bo.post('/settings/security', { audit_retention_years: '9' })).statusCode).toBe(
      403,
    );
    expect((await getSecuritySettings(t.app.db)).auditRetentionYears).toBe(6);
  });

  it('shows the defaults', async () => {
    const ann = await signIn(t.app, 'ann');
    const page = await ann.get('/settings/security');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="require_two_factor"  aria-describedby');
    expect(page.body).toMatch(/<textarea id="title_patterns"[^>]*><\/textarea>/);
    expect(page.body).toContain(
      'name="audit_retention_years" inputmode="numeric" size="4" value="6"',
    );
  });

  it('refuses bad values, saying why beside each field and keeping what was typed', async () => {
    const ann = await signIn(t.app, 'ann');
    await ann.get('/settings/security');
    const response = await ann.post('/settings/security', {
      require_two_factor: 'on',
      title_patterns: '\\bC-\\d{4}\\b\n(a)\\1\n[oops',
      audit_retention_years: '2',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(
      /id="titlePatterns-error">Line 2: not a valid pattern \(back-references.*Line 3: not a valid pattern/,
    );
    expect(response.body).toContain(
      'id="auditRetentionYears-error">Enter a whole number of years from 6 to 100.',
    );
    expect(response.body).toContain('\\bC-\\d{4}\\b\n(a)\\1\n[oops</textarea>');
    expect(response.body).toContain('value="2"');
    expect(response.body).toContain('name="require_two_factor" checked');
    expect(await getSecuritySettings(t.app.db)).toEqual({
      requireTwoFactor: false,
      titlePatterns: [],
      auditRetentionYears: 6,
    });
  });

  it('saves changes, audits each one, and shows them back', async () => {
    const ann = await signIn(t.app, 'ann');
    await ann.get('/settings/security');
    const response = await ann.post('/settings/security', {
      title_patterns: '  \\bC-\\d{4,6}\\b  \n\nacct\\d+\n',
      audit_retention_years: '7',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings/security?saved=1');
    expect(await getSecuritySettings(t.app.db)).toEqual({
      requireTwoFactor: false,
      titlePatterns: ['\\bC-\\d{4,6}\\b', 'acct\\d+'],
      auditRetentionYears: 7,
    });
    const page = await ann.get('/settings/security?saved=1');
    expect(page.body).toContain('Saved. The settings below are in force.');
    expect(page.body).toContain('\\bC-\\d{4,6}\\b\nacct\\d+</textarea>');
    expect(page.body).toContain('value="7"');
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select(['actor', 'detail'])
      .where('action', '=', 'setting-changed')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { actor: 'Ann Lee (ann)', detail: 'title_patterns: 0 → 2 patterns' },
      { actor: 'Ann Lee (ann)', detail: 'audit_retention_years: 6 → 7' },
    ]);

    // Saving again unchanged records nothing.
    await ann.post('/settings/security', {
      title_patterns: '\\bC-\\d{4,6}\\b\nacct\\d+',
      audit_retention_years: '7',
    });
    expect(
      await t.app.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'setting-changed')
        .execute(),
    ).toHaveLength(2);
  });

  it('turning on the second-factor rule sends an unenrolled administrator to enrol', async () => {
    const ann = await signIn(t.app, 'ann');
    await ann.get('/settings/security');
    await ann.post('/settings/security', {
      require_two_factor: 'on',
      title_patterns: '',
      audit_retention_years: '7',
    });
    expect((await getSecuritySettings(t.app.db)).requireTwoFactor).toBe(true);
    const next = await ann.get('/settings/security?saved=1');
    expect(next.headers.location).toBe(
      '/profile/two-factor?next=%2Fsettings%2Fsecurity%3Fsaved%3D1',
    );
    const detail = await t.app.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'setting-changed')
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(detail.map((d) => d.detail).sort()).toEqual([
      'require_two_factor: off → on',
      'title_patterns: 2 → 0 patterns',
    ]);
  });
});
