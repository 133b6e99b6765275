// round2.test.mjs — the console's second round in a real browser: the order list found by an
// order number, an order page's shipments from GET /v1/shipments?order_id= with a packing slip
// that downloads, and the admins' Users page (a user added, re-roled, disabled so that they
// cannot sign in, enabled again).
import { PASSWORD, createOrder } from './console.test.mjs';

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

async function signIn(page, base, email, password = PASSWORD) {
  await page.goto(`${base}/`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.locator('[data-test=who]').waitFor();
}

export async function seedRound2(server) {
  server.userCreate('admin@example.com', 'admin', PASSWORD);
}

export const tests = [
  {
    name: 'the order list finds one order by its number',
    async run({ page, base, api, shot }) {
      const order = await createOrder(api, 'WEB-NUMBER-1', [{ sku: 'CAP', qty: 1 }], 'number@example.com');
      await createOrder(api, 'WEB-NUMBER-2', [{ sku: 'CAP', qty: 1 }], 'number@example.com');
      await signIn(page, base, 'ops@example.com');
      await page.goto(`${base}/#/orders`);
      await page.locator('[data-test=orders-table] tbody tr').first().waitFor();
      expect((await page.locator('[data-test=orders-table] tbody tr').count()) > 1, 'several orders before filtering');
      await page.fill('[data-test=filter-number]', order.number.replace('SO-', ''));
      await page.click('[data-test=order-filters] button[type=submit]');
      await page.waitForFunction((id) => {
        const rows = document.querySelectorAll('[data-test=orders-table] tbody tr');
        return rows.length === 1 && rows[0].dataset.order === id;
      }, order.id);
      expect(decodeURIComponent(await page.evaluate(() => location.hash)).includes(`number=${order.number.replace('SO-', '')}`), 'the filter is in the URL');
      await shot('orders-by-number');
      await page.fill('[data-test=filter-number]', 'SO-999999');
      await page.click('[data-test=order-filters] button[type=submit]');
      await page.locator('[data-test=no-orders]').waitFor();
    },
  },
  {
    name: "the order page lists the order's shipments and downloads a packing slip",
    async run({ page, base, api, shot }) {
      const order = await createOrder(api, 'WEB-SHIP-1', [{ sku: 'CAP', qty: 2 }], 'ship@example.com');
      const shipment = order.allocations[0].shipment_id;
      const listed = await api('GET', `/v1/shipments?order_id=${order.id}`);
      expect(listed.data.length === 1 && listed.data[0].id === shipment, JSON.stringify(listed.data.map((s) => s.id)));
      await signIn(page, base, 'ops@example.com');
      await page.goto(`${base}/#/orders/${encodeURIComponent(order.id)}`);
      const row = page.locator('[data-test=shipments] tbody tr', { hasText: shipment });
      await row.waitFor();
      expect((await page.locator('[data-test=shipments] tbody tr').count()) === 1, 'one shipment');
      const href = await row.locator('a[data-test=packing-slip]').getAttribute('href');
      const pdf = await page.evaluate(async (url) => {
        const res = await fetch(url);
        const bytes = new Uint8Array(await res.arrayBuffer());
        return { status: res.status, type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
      }, href);
      expect(pdf.status === 200 && pdf.type === 'application/pdf' && pdf.head === '%PDF-' && pdf.size > 500, JSON.stringify(pdf));
      await shot('order-shipments');
    },
  },
  {
    name: 'an admin adds a user, changes the role, disables them (no sign-in) and enables them',
    // The short password and the unknown location are refused on purpose: Chromium logs each.
    expectConsole: [/Failed to load resource: the server responded with a status of 422/],
    async run({ page, base, shot }) {
      await signIn(page, base, 'admin@example.com');
      await page.click('a[href="#/users"]');
      await page.locator('[data-test=users-table] tr[data-user="admin@example.com"]').waitFor();
      await page.fill('[data-test=new-user-email]', 'temp@example.com');
      await page.selectOption('[data-test=add-user] select', 'support');
      await page.fill('[data-test=new-user-password]', 'short');
      await page.click('[data-test=add-user] button[type=submit]');
      await page.locator('[data-test=add-user-error]', { hasText: 'password' }).waitFor();
      await page.fill('[data-test=new-user-password]', PASSWORD);
      await page.click('[data-test=add-user] button[type=submit]');
      const row = page.locator('tr[data-user="temp@example.com"]');
      await row.waitFor();
      expect((await row.locator('[data-test=user-role]').inputValue()) === 'support', 'role support');
      // A warehouse role needs a location that exists: the server says which field is wrong.
      await row.locator('[data-test=user-role]').selectOption('warehouse');
      await row.locator('[data-test=user-scope]').fill('NOWHERE');
      await row.locator('[data-test=user-save-role]').click();
      await row.locator('[data-test=user-error]', { hasText: 'scope' }).waitFor();
      await row.locator('[data-test=user-scope]').fill('DC-EAST');
      await row.locator('[data-test=user-save-role]').click();
      await page.waitForFunction(() => document.querySelector('tr[data-user="temp@example.com"] [data-test=user-scope]')?.value === 'DC-EAST');
      // The admin may not disable themselves: the button is off.
      expect(await page.locator('tr[data-user="admin@example.com"] [data-test=user-disable]').isDisabled(), 'self-disable offered');
      // The user signs in elsewhere (here: from node), is disabled, and that session ends and
      // signing in fails.
      const signInElsewhere = () => fetch(`${base}/v1/session`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'temp@example.com', password: PASSWORD }),
      });
      const first = await signInElsewhere();
      expect(first.status === 201, `temp signs in: ${first.status}`);
      const cookie = first.headers.get('set-cookie').split(';')[0];
      const who = async () => (await fetch(`${base}/v1/session`, { headers: { Cookie: cookie } })).json();
      expect((await who()).signed_in === true, 'signed in elsewhere');
      await page.locator('tr[data-user="temp@example.com"] [data-test=user-disable]').click();
      await page.locator('tr[data-user="temp@example.com"] [data-test=user-state]', { hasText: 'disabled' }).waitFor();
      await shot('users');
      expect((await who()).signed_in === false, 'the disabled user is still signed in');
      const refused = await signInElsewhere();
      expect(refused.status === 401, `a disabled user signed in: ${refused.status}`);
      await page.locator('tr[data-user="temp@example.com"] [data-test=user-enable]').click();
      await page.locator('tr[data-user="temp@example.com"] [data-test=user-state]', { hasText: 'active' }).waitFor();
      expect((await signInElsewhere()).status === 201, 'signs in again once enabled');
    },
  },
  {
    name: 'only admins see the Users page',
    async run({ page, base }) {
      await signIn(page, base, 'ops@example.com');
      const links = await page.$$eval('header.top nav a', (as) => as.map((a) => a.textContent));
      expect(!links.includes('Users'), JSON.stringify(links));
      await page.goto(`${base}/#/users`);
      await page.locator('main.page').waitFor();
      expect((await page.locator('[data-test=users-table]').count()) === 0, 'users table shown to an operator');
    },
  },
];
