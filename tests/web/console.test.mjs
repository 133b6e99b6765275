// console.test.mjs — the web console in a real browser: sign-in (a bad password, the lock-out
// message), the overview's tiles and charts drawn from the API, an order made through the API
// in the list and on its page with its timeline, filtering, and cancelling from the page
// releasing the stock (read back through the API).

export const PASSWORD = 'correct horse battery';

const ADDRESS = { name: 'Ana Diaz', line1: '5 Elm St', city: 'Boston', region: 'MA', postal_code: '02118', country: 'US' };

export async function seed(server, api) {
  await api('POST', '/v1/locations', {
    code: 'DC-EAST', name: 'Newark DC', kind: 'warehouse',
    address: { line1: '1 Main St', city: 'Newark', region: 'NJ', postal_code: '07114', country: 'US' },
    capabilities: ['ship', 'return'],
  }, 201);
  await api('POST', '/v1/products', { sku: 'TSHIRT-M-BLK', name: 'T-shirt M black', price: 1999, currency: 'USD' }, 201);
  await api('POST', '/v1/products', { sku: 'MUG', name: 'Mug', price: 1299, currency: 'USD' }, 201);
  await api('POST', '/v1/products', { sku: 'CAP', name: 'Cap', price: 999, currency: 'USD' }, 201);
  await api('PUT', '/v1/inventory/CAP/DC-EAST', { on_hand: 50, safety_stock: 0 });
  await api('PUT', '/v1/inventory/TSHIRT-M-BLK/DC-EAST', { on_hand: 40, safety_stock: 0 });
  await api('PUT', '/v1/inventory/MUG/DC-EAST', { on_hand: 3, safety_stock: 5 });
  server.userCreate('ops@example.com', 'operator', PASSWORD);
  server.userCreate('locked@example.com', 'operator', PASSWORD);
  server.userCreate('picker@example.com', 'warehouse', PASSWORD, ['--location', 'DC-EAST']);
  server.userCreate('analyst@example.com', 'analyst', PASSWORD);
  const orders = [];
  for (let i = 1; i <= 3; i++) {
    orders.push(await createOrder(api, `SEED-${i}`, [{ sku: 'TSHIRT-M-BLK', qty: i }]));
  }
  return { orders };
}

export function createOrder(api, externalId, lines, email = 'ana@example.com') {
  return api('POST', '/v1/orders', {
    channel: 'web', external_id: externalId, currency: 'USD',
    customer: { email, name: 'Ana Diaz', type: 'consumer' },
    lines, shipping_address: ADDRESS, fulfillment: { method: 'ship' },
    shipping_price: 500, tax: 100, payment: { provider: 'manual' },
  }, 201);
}

async function signIn(page, base, email = 'ops@example.com', password = PASSWORD) {
  await page.goto(`${base}/`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// The fetch of a refused sign-in is logged by Chromium as a failed resource load.
const FAILED_SIGNIN = /Failed to load resource: the server responded with a status of (401|429)/;

export const tests = [
  {
    name: 'a bad password shows an error and signs nobody in',
    expectConsole: [FAILED_SIGNIN],
    async run({ page, base, shot }) {
      await signIn(page, base, 'ops@example.com', 'not the password');
      const error = page.locator('[data-test=signin-error]');
      await error.waitFor({ state: 'visible' });
      expect((await error.textContent()).includes('Wrong e-mail or password'), await error.textContent());
      expect((await page.locator('[data-test=who]').count()) === 0, 'signed in after a bad password');
      await shot('signin-bad-password');
    },
  },
  {
    name: 'repeated failures show the lock-out message',
    expectConsole: [FAILED_SIGNIN],
    async run({ page, base, shot }) {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${base}/v1/session`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email: 'locked@example.com', password: `wrong ${i}` }),
        });
        expect(res.status === 401, `attempt ${i}: ${res.status}`);
      }
      await signIn(page, base, 'locked@example.com', PASSWORD);
      const error = page.locator('[data-test=signin-error]');
      await error.waitFor({ state: 'visible' });
      const text = await error.textContent();
      expect(/Too many failed sign-ins.*Try again in 1[45] minutes/.test(text), text);
      await shot('signin-locked-out');
    },
  },
  {
    name: 'sign in shows the overview with tiles and charts drawn from the API',
    async run({ page, base, api, shot }) {
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      expect((await page.textContent('[data-test=who]')) === 'ops@example.com', 'who');
      await page.locator('[data-test=tiles] .tile').first().waitFor();
      expect((await page.locator('[data-test=tiles] .tile').count()) === 15, 'orders and 14 metric tiles');
      const today = new Date().toISOString().slice(0, 10);
      const m = await api('GET', `/v1/metrics?from=${today}&to=${today}`);
      const shown = (await page.textContent('[data-test=today-orders] .value')).trim();
      expect(shown === String(m.orders), `orders today: page ${shown}, API ${m.orders}`);
      await page.locator('[data-test=charts] canvas').nth(5).waitFor();
      const charts = await page.locator('[data-test=charts] figure').count();
      expect(charts === 6, `${charts} charts`);
      // The Orders chart has today's orders: its line (the series colour) must be on the canvas.
      const painted = await page.evaluate(() => {
        const canvas = document.querySelector('figure[data-chart="Orders"] canvas');
        const ctx = canvas.getContext('2d');
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let line = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i] - 47) < 30 && Math.abs(data[i + 1] - 111) < 30 && Math.abs(data[i + 2] - 237) < 30 && data[i + 3] > 200) line++;
        }
        return { line, width: canvas.width, height: canvas.height };
      });
      expect(painted.width > 100 && painted.height > 100, `canvas ${painted.width}x${painted.height}`);
      expect(painted.line > 50, `only ${painted.line} pixels of the series line`);
      await page.locator('[data-test=low-stock] td', { hasText: 'MUG' }).waitFor();
      await shot('overview');
    },
  },
  {
    name: 'an order made through the API is in the list and its page shows the timeline',
    async run({ page, base, api, shot }) {
      const order = await createOrder(api, 'WEB-LIST-1', [{ sku: 'TSHIRT-M-BLK', qty: 2 }, { sku: 'CAP', qty: 1 }], 'list@example.com');
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.click('a[href="#/orders"]');
      const row = page.locator(`tr[data-order="${order.id}"]`);
      await row.waitFor();
      expect((await row.textContent()).includes(order.number), 'number in the row');
      await shot('orders');
      await row.locator('a').click();
      await page.locator('[data-test=timeline] li[data-event="order.created"]').waitFor();
      expect((await page.textContent('[data-test=order-status]')).trim() === 'allocated', 'status');
      expect((await page.locator('[data-test=lines] tbody tr').count()) === 2, 'two lines');
      await page.locator('[data-test=routing] tr.chosen').first().waitFor();
      await shot('order');
    },
  },
  {
    name: 'the list filters on the server by customer and status',
    async run({ page, base, api }) {
      const mine = await createOrder(api, 'WEB-FILTER-1', [{ sku: 'TSHIRT-M-BLK', qty: 1 }], 'filter@example.com');
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.goto(`${base}/#/orders?customer_email=filter%40example.com`);
      await page.locator(`tr[data-order="${mine.id}"]`).waitFor();
      expect((await page.locator('[data-test=orders-table] tbody tr').count()) === 1, 'one order for that customer');
      await page.selectOption('select[name=status]', 'cancelled');
      await page.click('[data-test=order-filters] button[type=submit]');
      await page.locator('[data-test=no-orders]').waitFor();
    },
  },
  {
    name: 'cancelling from the order page releases the stock',
    async run({ page, base, api, shot }) {
      const before = await api('GET', '/v1/inventory/TSHIRT-M-BLK');
      const order = await createOrder(api, 'WEB-CANCEL-1', [{ sku: 'TSHIRT-M-BLK', qty: 4 }], 'cancel@example.com');
      const held = await api('GET', '/v1/inventory/TSHIRT-M-BLK');
      const reserved = (v) => v.locations.find((l) => l.location === 'DC-EAST').reserved;
      expect(reserved(held) === reserved(before) + 4, `reserved ${reserved(before)} → ${reserved(held)}`);
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.goto(`${base}/#/orders/${encodeURIComponent(order.id)}`);
      await page.fill('[data-test=reason]', 'customer changed their mind');
      await page.click('[data-test=cancel]');
      await page.click('[data-test=cancel-confirm]');
      await page.locator('[data-test=order-status]', { hasText: 'cancelled' }).waitFor();
      await page.locator('[data-test=timeline] li[data-event="order.cancelled"]').waitFor();
      const after = await api('GET', '/v1/inventory/TSHIRT-M-BLK');
      expect(reserved(after) === reserved(before), `reserved after cancel ${reserved(after)}, before ${reserved(before)}`);
      const o = await api('GET', `/v1/orders/${order.id}`);
      expect(o.status === 'cancelled' && o.cancel_reason === 'customer changed their mind', JSON.stringify(o.cancel_reason));
      await shot('order-cancelled');
    },
  },
  {
    name: 'sign out returns to the sign-in form',
    async run({ page, base }) {
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      // The overview's tiles load after the header: signed out while they are in flight, their
      // answers are 401s, which the browser logs as console errors.
      await page.waitForLoadState('networkidle');
      await page.click('[data-test=sign-out]');
      await page.locator('#password').waitFor();
      const res = await page.evaluate(async () => (await fetch('/v1/session')).json());
      expect(res.signed_in === false, JSON.stringify(res));
    },
  },
  {
    name: 'the self-service page shows one order for the right e-mail and nothing for a wrong one',
    expectConsole: [/Failed to load resource: the server responded with a status of 404/],
    async run({ page, base, api, shot }) {
      const order = await createOrder(api, 'WEB-TRACK-1', [{ sku: 'CAP', qty: 2 }], 'Track.Me@example.com');
      const other = await createOrder(api, 'WEB-TRACK-2', [{ sku: 'CAP', qty: 1 }], 'someone.else@example.com');
      await page.goto(`${base}/track`);
      await page.fill('#track-number', order.number);
      await page.fill('#track-email', 'track.me@example.com');
      await page.click('[data-test=track-form] button[type=submit]');
      await page.locator('[data-test=track-order]').waitFor();
      const text = await page.textContent('[data-test=track-result]');
      expect(text.includes(order.number) && text.includes('Cap'), text);
      expect(!text.includes(other.number), 'another order is shown');
      await shot('track');
      await page.fill('#track-email', 'someone.else@example.com');
      await page.click('[data-test=track-form] button[type=submit]');
      await page.locator('[data-test=track-error]').waitFor();
      const miss = await page.textContent('[data-test=track-result]');
      expect(miss.includes('No order matches') && !miss.includes(order.number) && !miss.includes(other.number), miss);
      await shot('track-no-match');
    },
  },
  {
    name: 'the pick screen at 375 px completes a pick, pack and ship',
    async run({ page, base, api, shot }) {
      await page.setViewportSize({ width: 375, height: 740 });
      const order = await createOrder(api, 'WEB-PICK-1', [{ sku: 'CAP', qty: 2 }], 'pick@example.com');
      await signIn(page, base, 'picker@example.com');
      await page.locator('[data-test=pick-start]').click();
      await page.locator('[data-test=pick-lines] li').first().waitFor();
      const lines = await page.$$eval('[data-test=pick-lines] li', (els) => els.map((e) => e.dataset.sku));
      const list = await page.$$eval('[data-test=pick-lines] li .count', (els) => els.map((e) => Number(e.textContent.split('/')[1])));
      await shot('pick-375');
      for (let i = 0; i < lines.length; i++) {
        for (let n = 0; n < list[i]; n++) {
          await page.fill('[data-test=scan]', lines[i].toLowerCase());
          await page.press('[data-test=scan]', 'Enter');
        }
      }
      await page.fill('[data-test=scan]', 'NOT-A-SKU');
      await page.press('[data-test=scan]', 'Enter');
      expect((await page.textContent('[data-test=scan-feedback]')).includes('not on this list'), 'unknown SKU refused');
      await page.click('[data-test=pick-complete]');
      const shipment = order.allocations[0].shipment_id;
      const card = page.locator(`[data-shipment="${shipment}"]`);
      await card.waitFor();
      await card.locator('[data-test=weight]').fill('450');
      await card.locator('[data-test=pack]').click();
      await card.locator('[data-test=ship-status]', { hasText: 'packed' }).waitFor();
      await card.locator('[data-test=tracking]').fill('1Z999AA10123456784');
      await card.locator('[data-test=ship]').click();
      await card.locator('[data-test=ship-status]', { hasText: 'shipped' }).waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width <= 375, `the page is ${width} px wide at 375`);
      await shot('pick-shipped-375');
      const s = await api('GET', `/v1/shipments/${shipment}`);
      expect(s.status === 'shipped' && s.tracking_number === '1Z999AA10123456784', JSON.stringify(s));
    },
  },
  {
    name: 'the locations page draws the map and deactivates a location',
    async run({ page, base, api, shot }) {
      await api('POST', '/v1/locations', {
        code: 'STORE-SEA', name: 'Seattle store', kind: 'store',
        address: { line1: '1 Pike St', city: 'Seattle', region: 'WA', postal_code: '98101', country: 'US' },
        capabilities: ['pickup'],
      }, 201);
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.click('a[href="#/locations"]');
      await page.locator('[data-test=map] g.loc[data-location="STORE-SEA"]').waitFor();
      const locs = await api('GET', '/v1/locations');
      const marks = await page.locator('[data-test=map] g.loc').count();
      expect(marks === locs.data.length, `${marks} marks for ${locs.data.length} locations`);
      const land = await page.$eval('[data-test=map] path.land', (p) => { const b = p.getBBox(); return { width: b.width, height: b.height }; });
      expect(land.width > 800 && land.height > 300, `the outline is ${land.width}x${land.height}`);
      // Seattle is north-west of Newark on the map.
      const at = (code) => page.$eval(`[data-test=map] g.loc[data-location="${code}"] circle`, (c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]);
      const [sea, ewr] = [await at('STORE-SEA'), await at('DC-EAST')];
      expect(sea[0] < ewr[0] && sea[1] < ewr[1], `Seattle ${sea}, Newark ${ewr}`);
      await shot('locations');
      await page.click('[data-test="toggle-STORE-SEA"]');
      await page.locator('tr[data-location="STORE-SEA"] [data-test=active]', { hasText: 'no' }).waitFor();
      const after = await api('GET', '/v1/locations/STORE-SEA');
      expect(after.active === false, JSON.stringify(after.active));
    },
  },
  {
    name: 'the inventory grid shows the API numbers and adjusts stock',
    async run({ page, base, api, shot }) {
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.click('a[href="#/inventory"]');
      const cell = page.locator('tr[data-sku="CAP"] td[data-location="DC-EAST"]');
      await cell.waitFor();
      const stock = (await api('GET', '/v1/inventory/CAP')).locations.find((l) => l.location === 'DC-EAST');
      expect((await cell.locator('strong').textContent()) === String(stock.available), 'available as the API says');
      await cell.locator('button').click();
      await page.locator('[data-test=ledger]').waitFor();
      await page.fill('[data-test=adjust-delta]', '-2');
      await page.fill('[data-test=adjust-reason]', 'damaged');
      await page.click('[data-test=adjust]');
      await page.locator('tr[data-sku="CAP"] td[data-location="DC-EAST"] strong', { hasText: String(stock.available - 2) }).waitFor();
      await page.locator('[data-test=ledger] td', { hasText: 'damaged' }).waitFor();
      const after = (await api('GET', '/v1/inventory/CAP')).locations.find((l) => l.location === 'DC-EAST');
      expect(after.on_hand === stock.on_hand - 2, `on hand ${stock.on_hand} → ${after.on_hand}`);
      await shot('inventory');
    },
  },
  {
    name: 'a store marks a pickup order ready and hands it over by its pickup code',
    // The wrong code is refused by the API, which Chromium logs as a failed resource load.
    expectConsole: [/Failed to load resource: the server responded with a status of 4(09|22)/],
    async run({ page, base, api, shot }) {
      await page.setViewportSize({ width: 375, height: 740 });
      await api('POST', '/v1/locations', {
        code: 'STORE-BOS', name: 'Boston store', kind: 'store',
        address: { line1: '9 Main St', city: 'Boston', region: 'MA', postal_code: '02118', country: 'US' },
        capabilities: ['pickup'],
      }, 201);
      await api('PUT', '/v1/inventory/CAP/STORE-BOS', { on_hand: 5, safety_stock: 0 });
      const order = await api('POST', '/v1/orders', {
        channel: 'web', external_id: 'WEB-BOPIS-1', currency: 'USD',
        customer: { email: 'bopis@example.com', name: 'Bo Pis' }, lines: [{ sku: 'CAP', qty: 1 }],
        shipping_address: ADDRESS, fulfillment: { method: 'pickup', location: 'STORE-BOS' },
      }, 201);
      const shipment = order.allocations[0].shipment_id;
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.goto(`${base}/#/pick`);
      await page.selectOption('#pick-location', 'STORE-BOS');
      await page.locator(`[data-shipment="${shipment}"] [data-test=ready]`).click();
      const card = page.locator(`[data-pickup="${shipment}"]`);
      await card.waitFor();
      const { pickup_code: code } = await api('GET', `/v1/shipments/${shipment}`);
      expect(typeof code === 'string' && code.length > 0, 'a pickup code');
      await card.locator('[data-test=pickup-code]').fill('WRONG1');
      await card.locator('[data-test=hand-over]').click();
      await card.locator('.error').waitFor();
      await card.locator('[data-test=pickup-code]').fill(code);
      await card.locator('[data-test=hand-over]').click();
      await card.locator('[data-test=pickup-status]', { hasText: 'picked up' }).waitFor();
      await shot('pickup-375');
      const s = await api('GET', `/v1/shipments/${shipment}`);
      expect(s.status === 'picked_up', s.status);
    },
  },
  {
    name: 'an analyst sees the overview and nothing it may not read',
    async run({ page, base }) {
      await signIn(page, base, 'analyst@example.com');
      await page.locator('[data-test=tiles] .tile').first().waitFor();
      await page.locator('[data-test=charts] canvas').nth(5).waitFor();
      const links = await page.$$eval('header.top nav a', (as) => as.map((a) => a.textContent));
      expect(JSON.stringify(links) === JSON.stringify(['Overview']), JSON.stringify(links));
      expect((await page.locator('[data-test=late-shipments]').count()) === 0, 'late shipments shown to an analyst');
    },
  },
  {
    name: 'customer service adds a note and moves the shipping address from the order page',
    async run({ page, base, api, shot }) {
      const order = await createOrder(api, 'WEB-SERVICE-1', [{ sku: 'CAP', qty: 1 }], 'service@example.com');
      await signIn(page, base);
      await page.locator('[data-test=who]').waitFor();
      await page.goto(`${base}/#/orders/${encodeURIComponent(order.id)}`);
      await page.fill('[data-test=note]', 'Customer called: leave at the back door.');
      await page.click('[data-test=add-note]');
      await page.locator('[data-test=timeline] li[data-event="order.note_added"]').waitFor();
      await page.fill('[data-test=addr-line1]', '1 Sunset Blvd');
      await page.fill('[data-test=addr-city]', 'Los Angeles');
      await page.fill('[data-test=addr-region]', 'CA');
      await page.fill('[data-test=addr-postal_code]', '90021');
      await page.click('[data-test=save-address]');
      await page.locator('[data-test=order-head]', { hasText: 'Los Angeles' }).waitFor();
      await page.locator('[data-test=timeline] li[data-event="order.edited"]').waitFor();
      const after = await api('GET', `/v1/orders/${order.id}`);
      expect(after.shipping_address.city === 'Los Angeles' && after.version > order.version, JSON.stringify(after.shipping_address));
      expect((await page.locator('[data-test=payments]').count()) === 1, 'payments card');
      await shot('order-service');
    },
  },
  {
    name: 'a customer starts a return of a delivered order from the self-service page',
    async run({ page, base, api, shot }) {
      const order = await createOrder(api, 'WEB-RETURN-1', [{ sku: 'TSHIRT-M-BLK', qty: 2 }], 'ret@example.com');
      const shipment = order.allocations[0].shipment_id;
      const pick = await api('POST', '/v1/pick-lists', { location: 'DC-EAST', max_shipments: 100 }, 201);
      expect(pick.shipments.includes(shipment), 'the shipment is on the pick list');
      await api('POST', `/v1/pick-lists/${pick.id}/complete`, { picker: 'test' });
      await api('POST', `/v1/shipments/${shipment}/pack`, { packages: [{ weight_grams: 500 }] });
      await api('POST', `/v1/shipments/${shipment}/ship`, { carrier: 'UPS', service: 'ground', tracking_number: '1ZRETURN0001', cost: 0 });
      await api('POST', `/v1/shipments/${shipment}/deliver`);
      await page.goto(`${base}/track`);
      await page.fill('#track-number', order.number);
      await page.fill('#track-email', 'ret@example.com');
      await page.click('[data-test=track-form] button[type=submit]');
      await page.locator('[data-test=track-return]').waitFor();
      expect((await page.textContent('[data-test=track-order]')).includes('1ZRETURN0001'), 'tracking number shown');
      await page.fill('[data-test="return-qty-TSHIRT-M-BLK"]', '1');
      await page.selectOption('[data-test=return-location]', 'DC-EAST');
      await page.selectOption('[data-test=return-reason]', 'too_small');
      await page.click('[data-test=start-return]');
      await page.locator('[data-test=return-message].ok').waitFor();
      await shot('track-return');
      const returns = await api('GET', `/v1/returns?order_id=${order.id}`);
      expect(returns.data.length === 1 && returns.data[0].location === 'DC-EAST', JSON.stringify(returns.data));
    },
  },
];
