import { describe, expect, it } from 'vitest';
import { staffDirectory } from '../../src/staff/directory.js';
import { UNDECOMPOSED } from '../../src/staff/search.js';
import { haveChromium, useLiveChromium } from '../helpers/browser.js';

/**
 * The pick list filters in the browser (public/js/staff-picker.js); quick search
 * and the page without JavaScript filter on the server (src/staff/search.ts).
 * Both fold with the one table the server sends: for every letter in it, and
 * for accents and case, the browser shows whom the server would.
 */
describe.runIf(haveChromium)('in Chromium: the pick list folds as the server does', () => {
  const s = useLiveChromium({
    dee: { name: 'Dee Moss', department: 'Front desk' },
    soren: { name: 'Søren Łukasz', department: 'Þjónusta' },
    strasser: { name: 'Ægir Straße', department: 'Đakovo' },
    oeuvre: { name: 'Œdipa Ðuro', department: 'Billing' },
    isik: { name: 'Işık Jørgensen', department: 'Clinical' },
    jose: { name: 'José Álvarez', department: 'Clinical' },
  });

  // Every undecomposed letter typed, in either case, plus accents and the plain forms.
  const queries = [
    ...Object.keys(UNDECOMPOSED),
    ...Object.keys(UNDECOMPOSED).map((c) => c.toUpperCase()),
    'soren',
    'SØREN ŁUK',
    'lukasz',
    'thjon',
    'strasse',
    'aegir',
    'oedipa',
    'duro',
    'dakovo',
    'isik jorg',
    'JOSE',
    'álv',
    'nobody',
  ];

  it('shows, for each query, the people src/staff/search.ts filters to', async () => {
    const { context, page } = await s.signedIn('dee');
    await page.getByRole('link', { name: 'Help' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByRole('button', { name: 'Pick list for Assigned To' }).click();
    const pickList = page.getByRole('dialog', { name: 'Pick list: Assigned To' });
    await pickList.waitFor();
    const directory = await staffDirectory(s.live.app.db);

    for (const query of queries) {
      await pickList.getByLabel('Filter').fill(query);
      const expected = directory.filterList(query).map((e) => e.name);
      const shown = async () => ({
        query,
        names: (
          await pickList.locator('li[data-key] button.pick:visible').allTextContents()
        ).sort(),
      });
      await expect.poll(shown).toEqual({ query, names: [...expected].sort() });
    }
    // The table was there to use: one query matches through it in both.
    expect(directory.filterList('strasse').map((e) => e.name)).toEqual(['Ægir Straße']);
    await context.close();
  });
});
