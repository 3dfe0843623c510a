// Drives Debian's Chromium (headless) against a sweep report: layout at 1280 px, the filters,
// the principal pages, and the page with JavaScript off. Prints one JSON object of what it saw;
// tests/report_browser.rs asserts on it. Usage: node report.mjs REPORT.html SCREENSHOT.png
import { chromium } from 'playwright-core';

const [report, screenshot] = process.argv.slice(2);
const url = 'file://' + report;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
const out = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  page.on('request', r => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.goto(url);
  out.requests = requests;
  out.overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  out.filtersVisible = await page.isVisible('#filters');
  out.rows = await page.locator('#f tbody tr').count();
  out.criticalCount = +(await page.textContent('#count-critical'));
  await page.selectOption('#f-severity', 'critical');
  out.criticalShown = await page.locator('#f tbody tr:not([hidden])').count();
  out.criticalOnly = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#f tbody tr:not([hidden])')).every(r => r.dataset.severity === 'critical'));
  await page.selectOption('#f-severity', '');
  await page.fill('#q', 'bob');
  out.searchShown = await page.locator('#f tbody tr:not([hidden])').count();
  out.searchAllMatch = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#f tbody tr:not([hidden])')).every(r => r.textContent.toLowerCase().includes('bob')));
  out.shownText = await page.textContent('#shown');
  await page.fill('#q', '');
  await page.selectOption('#f-rule', 'stale-credential');
  out.ruleShown = await page.locator('#f tbody tr:not([hidden])').count();
  await page.selectOption('#f-rule', '');
  // A principal's name in the table opens its page.
  const link = page.locator('#f tbody tr a[href^="#p"]').first();
  const target = await link.getAttribute('href');
  await link.click();
  out.pageOpened = await page.evaluate(t => document.querySelector(t).open, target);
  out.pageHolds = await page.evaluate(t => document.querySelector(t).textContent.includes('Holds:'), target);
  // Sorting by severity keeps every row.
  await page.click('#f thead th:first-child');
  out.rowsAfterSort = await page.locator('#f tbody tr').count();
  await page.goto(url);
  await page.screenshot({ path: screenshot });

  const off = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const p2 = await off.newPage();
  await p2.goto(url);
  out.noJsFiltersVisible = await p2.isVisible('#filters');
  out.noJsRowsVisible = await p2.locator('#f tbody tr:visible').count();
  out.noJsOverflow = await p2.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
