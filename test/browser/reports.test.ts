import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { haveChromium, signInAs, useLiveChromium } from '../helpers/browser.js';
import { buildReportWorld } from '../helpers/reports.js';

/** Where the screenshots go, to be looked at by a person after a run. */
const SHOTS = process.env.SCREENSHOT_DIR ?? tmpdir();

describe.runIf(haveChromium)('in Chromium: the Reports page', () => {
  const s = useLiveChromium(
    {},
    {
      setUp: async (live) => {
        await buildReportWorld(live);
      },
      timeout: 90_000,
    },
  );

  /** Signs Cam in at this width and opens Reports; any CSP complaint is collected. */
  async function openReports(width: number, javaScriptEnabled = true) {
    const context = await s.browser.newContext({
      viewport: { width, height: 900 },
      javaScriptEnabled,
    });
    const page = await context.newPage();
    const complaints: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text()))
        complaints.push(message.text());
    });
    await signInAs(page, s.live.url, 'cam');
    await page.goto(`${s.live.url}/reports`);
    return { context, page, complaints };
  }

  async function checkCharts(page: Page, width: number) {
    const charts = page.locator('svg.chart-svg');
    expect(await charts.count()).toBe(7);
    for (const chart of await charts.all()) {
      const box = await chart.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(200);
      expect(box?.height ?? 0).toBeGreaterThan(40);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
    }
    // Bars are drawn: the open-ticket chart has a filled bar per non-empty age.
    expect(await page.locator('#chart-open-by-age-title').textContent()).toBe(
      'Open tickets by priority and age',
    );
    expect(
      await page.locator('svg[aria-labelledby^="chart-open-by-age"] rect[height="16"]').count(),
    ).toBe(6);
    // Nothing spills sideways off a phone.
    const scroll = Number(await page.evaluate('document.documentElement.scrollWidth'));
    expect(scroll).toBeLessThanOrEqual(width);
  }

  for (const width of [1280, 390]) {
    it(`renders every chart at ${width} px, within the CSP, with no axe violations`, async () => {
      const { context, page, complaints } = await openReports(width);
      await checkCharts(page, width);
      // Open every table, so axe checks them too.
      for (const summary of await page.locator('summary').all()) await summary.click();
      const file = join(SHOTS, `hushdesk-reports-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(statSync(file).size).toBeGreaterThan(10_000);
      const axe = await new AxeBuilder({ page }).analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
      expect(complaints).toEqual([]);
      await context.close();
    }, 120_000);
  }

  it('with JavaScript, the filter swaps only the charts and puts the filters in the address bar', async () => {
    const { context, page } = await openReports(1280);
    await page.evaluate("document.querySelector('h1').dataset.kept = 'yes'");
    await page.getByLabel('Department').selectOption('Billing');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('tickets raised by Billing').waitFor();
    expect(page.url()).toContain('department=Billing');
    // The page around the charts was not reloaded.
    expect(await page.locator('h1').getAttribute('data-kept')).toBe('yes');
    await context.close();
  }, 120_000);

  it('without JavaScript, the same form filters by a plain page load', async () => {
    const { context, page } = await openReports(1280, false);
    await page.getByLabel('Department').selectOption('Intake');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('tickets raised by Intake').waitFor();
    expect(page.url()).toContain('department=Intake');
    await context.close();
  }, 120_000);
});
