import { chromium } from 'playwright-core';

const url = 'http://127.0.0.1:3112';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const context = await browser.newContext({ javaScriptEnabled: false });
const page = await context.newPage();
page.setDefaultTimeout(5000);
await page.goto(url + '/sign-in');
await page.getByLabel('Username').fill('ann');
await page.getByLabel('Password').fill('correct horse battery staple');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((u) => u.pathname === '/');
console.log('signed in', page.url());
await page.getByRole('link', { name: 'Help' }).click();
await page.waitForURL((u) => u.pathname === '/tickets/new');
console.log('new', page.url());
await page.getByLabel('Title', { exact: true }).fill('No-script ticket');
await page.getByLabel('Priority').selectOption('low');
await page.getByLabel('Description', { exact: true }).fill('Line one\nLine two');
await page.getByRole('button', { name: 'Save' }).click();
await page.waitForURL((u) => /^\/tickets\/\d+$/.test(u.pathname));
console.log('created', page.url());
await browser.close();
