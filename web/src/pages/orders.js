// orders.js — the order list: filters and paging are the server's (GET /v1/orders with
// number, status, channel, customer_email, created_from, created_to, limit and cursor), so it
// stays fast however many orders there are. The filters live in the URL hash (#/orders?status=...).
import { get, query } from '../api.js';
import { clear, h } from '../dom.js';
import { dateTime, money } from '../format.js';

const STATUSES = [
  'pending', 'confirmed', 'on_hold', 'allocated', 'backordered', 'in_fulfillment', 'partially_shipped',
  'shipped', 'delivered', 'ready_for_pickup', 'picked_up', 'partially_returned', 'returned', 'cancelled',
];
const FILTERS = ['number', 'status', 'channel', 'customer_email', 'created_from', 'created_to'];
const PAGE = 50;

export function renderOrders(main, ctx, hash) {
  const params = new URLSearchParams(hash.split('?')[1] || '');
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || '']));
  const form = filterForm(filters);
  const body = h('div', {});
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Orders')), form, body);
  const cursors = [null];
  const show = (index) => loadPage(body, ctx, filters, cursors, index, show);
  get('/v1/channels')
    .then((res) => {
      const select = form.querySelector('select[name=channel]');
      for (const c of res.data || []) select.append(h('option', { value: c.code, selected: c.code === filters.channel }, c.code));
    })
    .catch(() => {});
  show(0);
}

function filterForm(filters) {
  const input = (name, label, attrs = {}) =>
    h('label', {}, h('span', {}, label), h('input', { name, value: filters[name], ...attrs }));
  const form = h(
    'form',
    { class: 'filters', 'data-test': 'order-filters' },
    input('number', 'Order number', { type: 'search', placeholder: 'SO-1001', size: 10, 'data-test': 'filter-number' }),
    h('label', {}, h('span', {}, 'Status'), h('select', { name: 'status' }, h('option', { value: '' }, 'any'), STATUSES.map((s) => h('option', { value: s, selected: s === filters.status }, s.replace(/_/g, ' '))))),
    h('label', {}, h('span', {}, 'Channel'), h('select', { name: 'channel' }, h('option', { value: '' }, 'any'))),
    input('customer_email', 'Customer e-mail', { type: 'email', placeholder: 'name@example.com' }),
    input('created_from', 'From', { type: 'date' }),
    input('created_to', 'To', { type: 'date' }),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'),
    h('a', { href: '#/orders', class: 'button' }, 'Clear'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const k of FILTERS) next[k] = String(data.get(k) || '').trim();
    location.hash = `#/orders${query(next)}`;
  });
  return form;
}

async function loadPage(body, ctx, filters, cursors, index, show) {
  clear(body).append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const res = await get(`/v1/orders${query({ ...filters, limit: PAGE, cursor: cursors[index] })}`);
    if (!ctx.isCurrent()) return;
    cursors[index + 1] = res.next_cursor || null;
    const rows = res.data || [];
    clear(body).append(
      rows.length === 0
        ? h('p', { class: 'muted', 'data-test': 'no-orders' }, 'No orders match.')
        : table(rows),
      h(
        'div',
        { class: 'pager' },
        h('button', { disabled: index === 0, onclick: () => show(index - 1), 'data-test': 'prev-page' }, '← Previous'),
        h('span', { class: 'muted' }, `Page ${index + 1}`),
        h('button', { disabled: !res.next_cursor, onclick: () => show(index + 1), 'data-test': 'next-page' }, 'Next →'),
      ),
    );
  } catch (e) {
    const where = e.field ? ` (${e.field})` : '';
    clear(body).append(h('p', { class: 'error', 'data-test': 'orders-error' }, `${e.message}${where}`));
  }
}

function table(rows) {
  return h(
    'table',
    { class: 'orders', 'data-test': 'orders-table' },
    h('thead', {}, h('tr', {}, ['Number', 'Created', 'Status', 'Channel', 'Customer', 'Lines', 'Total'].map((t) => h('th', { class: t === 'Total' || t === 'Lines' ? 'num' : null }, t)))),
    h(
      'tbody',
      {},
      rows.map((o) =>
        h(
          'tr',
          { 'data-order': o.id },
          h('td', {}, h('a', { href: `#/orders/${encodeURIComponent(o.id)}` }, o.number)),
          h('td', {}, dateTime(o.created_at)),
          h('td', {}, h('span', { class: `status s-${o.status}` }, o.status.replace(/_/g, ' '))),
          h('td', {}, o.channel),
          h('td', {}, o.customer ? o.customer.email : ''),
          h('td', { class: 'num' }, (o.lines || []).length),
          h('td', { class: 'num' }, money(o.totals ? o.totals.total : null, o.currency)),
        ),
      ),
    ),
  );
}
