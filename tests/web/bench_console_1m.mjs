// bench_console_1m.mjs — the console's order list against a large database in a real browser
// (issue 8, round 2; README "Paging on a million orders"). Not part of `make test`. Against a
// running `ordo serve` (ORDO_URL) with a console user (ORDO_EMAIL / ORDO_PASSWORD, made with
// `ordo user create`): signs in, opens the order list, pages forward 20 times, filters by a
// channel with no orders and by a status, finds one order by number, and prints how long each
// took until the table (or "No orders match") was on screen; screenshots under
// build/web-screens/ (orders-1m-*.png).
//   ORDO_URL=http://127.0.0.1:18931 ORDO_EMAIL=... ORDO_PASSWORD=... NUMBER=SO-59874 \
//     node tests/web/bench_console_1m.mjs
import path from 'node:path';
import { launch, screensDir } from './harness.mjs';

const base = process.env.ORDO_URL || 'http://127.0.0.1:8080';
const number = process.env.NUMBER || 'SO-1001';
const browser = await launch();
const page = await browser.context.newPage();
const errors = [];
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
page.on('pageerror', (e) => errors.push(e.message));
const shot = (name) => page.screenshot({ path: path.join(screensDir(), `orders-1m-${name}.png`), fullPage: true });
const settled = () => page.waitForSelector('[data-test=orders-table] tbody tr, [data-test=no-orders]');

async function timed(label, fn) {
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  console.log(`| ${label.padEnd(52)} | ${ms.toFixed(0).padStart(6)} |`);
  return ms;
}

try {
  await page.goto(`${base}/`);
  await page.fill('#email', process.env.ORDO_EMAIL);
  await page.fill('#password', process.env.ORDO_PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-test=who]').waitFor();
  console.log('| console step (1,000,000 orders) | ms |\n| --- | --- |');
  await timed('open the order list (first 50)', async () => {
    await page.goto(`${base}/#/orders`);
    await settled();
  });
  await shot('list');
  const pages = [];
  for (let i = 0; i < 20; i++) {
    const first = await page.getAttribute('[data-test=orders-table] tbody tr', 'data-order');
    pages.push(await timed(`next page (${i + 2})`, async () => {
      await page.click('[data-test=next-page]');
      await page.waitForFunction((id) => document.querySelector('[data-test=orders-table] tbody tr')?.dataset.order !== id, first);
    }));
  }
  await timed('filter channel=edi (no orders)', async () => {
    await page.goto(`${base}/#/orders?channel=edi`);
    await page.waitForSelector('[data-test=no-orders]');
  });
  await timed('filter status=picked_up', async () => {
    await page.goto(`${base}/#/orders?status=picked_up`);
    await settled();
  });
  await timed('filter created 2025-01-01..2025-01-10', async () => {
    await page.goto(`${base}/#/orders?created_from=2025-01-01&created_to=2025-01-10`);
    await settled();
  });
  await timed(`find ${number}`, async () => {
    await page.goto(`${base}/#/orders?number=${number}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-test=orders-table] tbody tr').length === 1);
  });
  await shot('number');
  await timed(`open ${number}'s page`, async () => {
    await page.click('[data-test=orders-table] tbody tr a');
    await page.locator('[data-test=timeline] li').first().waitFor();
  });
  await shot('order');
  if (errors.length) throw new Error(`console errors: ${errors.join('\n')}`);
} finally {
  await browser.close();
}
