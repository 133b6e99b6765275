// refund.test.mjs — the order page's goodwill refund (POST /v1/orders/{id}/refunds) in a real
// browser: an operator refunds part of a shipped sandbox order; too much is refused inline with
// the server's 409 and changes nothing; afterwards GET /v1/orders/{id}/payments (through the API,
// not the page) shows the refund and the credit note exists. Also the payment-hold release
// override: a declined order's plain Release shows 409 payment_required, the confirmed override
// releases it.
import { PASSWORD } from './console.test.mjs';

const ADDRESS = { name: 'Rae Park', line1: '5 Elm St', city: 'Boston', region: 'MA', postal_code: '02118', country: 'US' };

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

function sandboxOrder(api, externalId, card) {
  return api('POST', '/v1/orders', {
    channel: 'web', external_id: externalId, currency: 'USD',
    customer: { email: 'rae@example.com', name: 'Rae Park', type: 'consumer' },
    lines: [{ sku: 'CAP', qty: 2 }], shipping_address: ADDRESS, fulfillment: { method: 'ship' },
    shipping_price: 500, tax: 100, payment: { provider: 'sandbox', card },
  }, 201);
}

async function ship(api, shipment) {
  const pick = await api('POST', '/v1/pick-lists', { location: 'DC-EAST', max_shipments: 100 }, 201);
  expect(pick.shipments.includes(shipment), 'the shipment is on the pick list');
  await api('POST', `/v1/pick-lists/${pick.id}/complete`, { picker: 'test' });
  await api('POST', `/v1/shipments/${shipment}/pack`, { packages: [{ weight_grams: 300 }] });
  await api('POST', `/v1/shipments/${shipment}/ship`, { carrier: 'UPS', service: 'ground', tracking_number: '1ZREFUND0001', cost: 0 });
}

export const tests = [
  {
    name: 'an operator refunds part of a shipped order from its page (goodwill, no return)',
    // Refunding more than is left is refused on purpose: Chromium logs the 409.
    expectConsole: [/Failed to load resource: the server responded with a status of 409/],
    async run({ page, base, api, shot }) {
      const order = await sandboxOrder(api, 'WEB-REFUND-1', '4242424242424242');
      expect(order.totals.total === 2598, `total ${order.totals.total}`);
      await ship(api, order.allocations[0].shipment_id);
      await signIn(page, base, 'ops@example.com');
      await page.goto(`${base}/#/orders/${encodeURIComponent(order.id)}`);
      await page.locator('[data-test=refundable]', { hasText: '$25.98' }).waitFor();
      // Too much: the server's 409 is shown next to the form and nothing is refunded.
      await page.fill('[data-test=refund-amount]', '30');
      await page.fill('[data-test=refund-reason]', 'late_delivery');
      await page.click('[data-test=refund]');
      await page.click('[data-test=refund-confirm]');
      await page.locator('[data-test=refund-error]', { hasText: 'amount' }).waitFor();
      expect((await page.textContent('[data-test=refund-error]')).includes('exceeds'), await page.textContent('[data-test=refund-error]'));
      const unchanged = await api('GET', `/v1/orders/${order.id}/payments`);
      expect(unchanged.refunded === 0 && unchanged.refundable === 2598, JSON.stringify(unchanged));
      // No reason: refused in the page before anything is sent.
      await page.fill('[data-test=refund-amount]', '5');
      await page.fill('[data-test=refund-reason]', '');
      await page.click('[data-test=refund]');
      await page.locator('[data-test=refund-error]', { hasText: 'reason' }).waitFor();
      // A part of it, with a reason and a note.
      await page.fill('[data-test=refund-reason]', 'late_delivery');
      await page.fill('[data-test=refund-note]', 'Parcel was a week late');
      await page.click('[data-test=refund]');
      await page.locator('[data-test=refund-confirm]', { hasText: '$5.00' }).click();
      await page.locator('[data-test=timeline] li[data-event="order.refunded"]').waitFor();
      await page.locator('[data-test=refundable]', { hasText: '$20.98' }).waitFor();
      await shot('order-refund');
      const payments = await api('GET', `/v1/orders/${order.id}/payments`);
      expect(payments.captured === 2598 && payments.refunded === 500 && payments.refundable === 2098, JSON.stringify(payments));
      const refunds = payments.data.filter((t) => t.kind === 'refund');
      expect(refunds.length === 1 && refunds[0].amount === 500 && refunds[0].status === 'succeeded' && refunds[0].return_id === null, JSON.stringify(refunds));
      const docs = await api('GET', `/v1/orders/${order.id}/invoices`);
      const notes = docs.data.filter((d) => d.kind === 'credit_note');
      expect(notes.length === 1 && notes[0].amount === 500 && notes[0].return_id === null, JSON.stringify(docs.data));
      const events = await api('GET', `/v1/orders/${order.id}/events`);
      const refunded = events.data.find((e) => e.type === 'order.refunded');
      expect(refunded && refunded.data.reason === 'late_delivery' && refunded.data.note === 'Parcel was a week late' && refunded.data.role === 'operator', JSON.stringify(refunded));
    },
  },
  {
    name: 'a payment-held order: Release shows payment_required, the confirmed override releases it',
    expectConsole: [/Failed to load resource: the server responded with a status of 409/],
    async run({ page, base, api, shot }) {
      const order = await sandboxOrder(api, 'WEB-OVERRIDE-1', '4000000000000002');
      expect(order.status === 'on_hold' && order.hold_reason === 'payment_declined', `${order.status} ${order.hold_reason}`);
      await signIn(page, base, 'ops@example.com');
      await page.goto(`${base}/#/orders/${encodeURIComponent(order.id)}`);
      await page.click('[data-test=release]');
      await page.locator('[data-test=action-error]:not([hidden])').waitFor();
      const held = await api('GET', `/v1/orders/${order.id}`);
      expect(held.status === 'on_hold', `released without override: ${held.status}`);
      await page.click('[data-test=release-override]');
      await shot('order-release-override');
      await page.click('[data-test=release-override-confirm]');
      await page.waitForFunction(() => document.querySelector('[data-test=order-status]')?.textContent !== 'on hold');
      const released = await api('GET', `/v1/orders/${order.id}`);
      expect(released.status !== 'on_hold', `still held: ${released.status}`);
      const events = await api('GET', `/v1/orders/${order.id}/events`);
      const ev = events.data.find((e) => e.type === 'order.released');
      expect(ev && ev.data.override === true, JSON.stringify(ev));
    },
  },
];
