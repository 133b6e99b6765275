// overview.js — the day at a glance: today's orders and revenue, the fourteen metrics over a
// chosen range with the change against the period before, charts per day, late shipments
// and low stock. Every number comes from the API.
import { get, query } from '../api.js';
import { lineChart, destroyCharts } from '../chart.js';
import { h, clear } from '../dom.js';
import { addDays, day, money, number, dateTime } from '../format.js';
import { METRICS, change } from '../metrics.js';

const RANGES = [7, 14, 30, 60, 90];
let chosenRange = 14;

export function renderOverview(main, ctx) {
  destroyCharts();
  const select = h(
    'select',
    { 'data-test': 'range', 'aria-label': 'Range' },
    RANGES.map((n) => h('option', { value: n, selected: n === chosenRange }, `Last ${n} days`)),
  );
  const body = h('div', { class: 'overview-body' });
  select.addEventListener('change', () => {
    chosenRange = Number(select.value);
    load(body, ctx);
  });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), select), body);
  load(body, ctx);
}

async function load(body, ctx) {
  destroyCharts();
  clear(body).append(h('p', { class: 'muted' }, 'Loading…'));
  const today = day(new Date());
  const from = addDays(today, -(chosenRange - 1));
  const prevTo = addDays(from, -1);
  const prevFrom = addDays(prevTo, -(chosenRange - 1));
  try {
    const [todays, cur, prev, daily] = await Promise.all([
      get(`/v1/metrics${query({ from: today, to: today })}`),
      get(`/v1/metrics${query({ from, to: today })}`),
      get(`/v1/metrics${query({ from: prevFrom, to: prevTo })}`),
      get(`/v1/metrics/daily${query({ from, to: today })}`),
    ]);
    if (!ctx.isCurrent()) return;
    clear(body).append(
      todayRow(todays),
      h('h2', {}, `Metrics, ${from} to ${today}`, h('span', { class: 'muted small' }, ` against ${prevFrom} to ${prevTo}`)),
      tiles(cur, prev),
      h('h2', {}, 'Per day'),
    );
    const chartsBox = h('div', { class: 'charts', 'data-test': 'charts' });
    body.append(chartsBox);
    drawCharts(chartsBox, daily.data || []);
    const lists = h('div', { class: 'two-col' });
    body.append(lists);
    if (ctx.can('fulfillment')) lists.append(lateShipments());
    if (ctx.can('inventory.read')) lists.append(lowStock());
  } catch (e) {
    clear(body).append(h('p', { class: 'error' }, `Cannot load the metrics: ${e.message}`));
  }
}

function todayRow(m) {
  const revenue = m.orders && m.average_order_value !== null ? m.orders * m.average_order_value : 0;
  return h(
    'div',
    { class: 'today' },
    h('div', { class: 'big', 'data-test': 'today-orders' }, h('span', { class: 'label' }, 'Orders today'), h('span', { class: 'value' }, number(m.orders))),
    h('div', { class: 'big', 'data-test': 'today-revenue' }, h('span', { class: 'label' }, 'Revenue today'), h('span', { class: 'value' }, money(revenue)), h('span', { class: 'muted small' }, 'orders × average order value')),
  );
}

function tiles(cur, prev) {
  const all = [{ key: 'orders', label: 'Orders', fmt: (v) => number(v), up: true }, ...METRICS];
  return h(
    'div',
    { class: 'tiles', 'data-test': 'tiles' },
    all.map((m) => {
      const c = change(m, cur[m.key], prev[m.key]);
      const good = c && c.sign !== 0 ? (c.sign > 0) === m.up : null;
      return h(
        'div',
        { class: 'tile', 'data-metric': m.key },
        h('span', { class: 'label' }, m.label),
        h('span', { class: 'value' }, m.fmt(cur[m.key])),
        h('span', { class: `delta ${good === null ? '' : good ? 'good' : 'bad'}` }, c ? c.text : 'no change to show'),
      );
    }),
  );
}

function drawCharts(box, rows) {
  const days = rows.map((r) => r.date);
  const col = (k) => rows.map((r) => (r[k] === null || r[k] === undefined ? null : r[k]));
  const revenue = rows.map((r) => (r.average_order_value === null ? 0 : r.orders * r.average_order_value));
  const pct = (v) => (v === null ? '' : `${Math.round(v * 100)}%`);
  const usd = (v) => (v === null ? '' : money(v).replace(/\.00$/, ''));
  const charts = [
    { title: 'Orders', values: col('orders'), format: (v) => number(v) },
    { title: 'Revenue', values: revenue, format: usd },
    { title: 'Average order value', values: col('average_order_value'), format: usd },
    { title: 'On-time shipping rate', values: col('on_time_shipping_rate'), format: pct },
    { title: 'Return rate', values: col('return_rate'), format: pct },
    { title: 'Fill rate', values: col('order_fill_rate'), format: pct },
  ];
  for (const c of charts) lineChart(box, { ...c, days });
}

function lateShipments() {
  const box = h('section', { class: 'card', 'data-test': 'late-shipments' }, h('h2', {}, 'Late shipments'));
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  box.append(body);
  get(`/v1/shipments${query({ late: 'true', limit: 20 })}`)
    .then((res) => {
      const rows = res.data || [];
      clear(body).append(
        rows.length === 0
          ? h('p', { class: 'muted' }, 'No late shipments.')
          : h(
              'table',
              {},
              h('thead', {}, h('tr', {}, h('th', {}, 'Order'), h('th', {}, 'Location'), h('th', {}, 'Status'), h('th', {}, 'Ship by'))),
              h(
                'tbody',
                {},
                rows.map((s) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(s.order_id)}` }, s.order_number || s.order_id)),
                    h('td', {}, s.location),
                    h('td', {}, s.status),
                    h('td', {}, dateTime(s.ship_by || s.promised_ship_by)),
                  ),
                ),
              ),
            ),
      );
    })
    .catch((e) => clear(body).append(h('p', { class: 'error' }, e.message)));
  return box;
}

// Low stock: every product's stock per location where what is available is at or below the
// safety stock. The API has no list of all stock yet, so this reads each product (up to 200).
function lowStock() {
  const box = h('section', { class: 'card', 'data-test': 'low-stock' }, h('h2', {}, 'Low stock'));
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  box.append(body);
  (async () => {
    const products = [];
    let cursor = null;
    do {
      const page = await get(`/v1/products${query({ limit: 100, cursor })}`);
      products.push(...(page.data || []));
      cursor = page.next_cursor;
    } while (cursor && products.length < 200);
    const low = [];
    for (let i = 0; i < products.length; i += 8) {
      const views = await Promise.all(products.slice(i, i + 8).map((p) => get(`/v1/inventory/${encodeURIComponent(p.sku)}`)));
      for (const v of views) {
        for (const l of v.locations || []) {
          if (l.available <= l.safety_stock) low.push({ sku: v.sku, ...l });
        }
      }
    }
    clear(body).append(
      low.length === 0
        ? h('p', { class: 'muted' }, 'Nothing at or below its safety stock.')
        : h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', {}, 'SKU'), h('th', {}, 'Location'), h('th', { class: 'num' }, 'Available'), h('th', { class: 'num' }, 'Safety'))),
            h('tbody', {}, low.slice(0, 50).map((l) => h('tr', {}, h('td', {}, l.sku), h('td', {}, l.location), h('td', { class: 'num' }, number(l.available)), h('td', { class: 'num' }, number(l.safety_stock))))),
          ),
    );
  })().catch((e) => clear(body).append(h('p', { class: 'error' }, e.message)));
  return box;
}

