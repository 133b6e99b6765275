// order.js — one order: its header and totals, the actions the signed-in role may take (hold,
// release, cancel; the server still decides), lines, allocations with the routing
// explanation, shipments with tracking and documents, and the timeline of its events.
import { api, get, post } from '../api.js';
import { clear, h } from '../dom.js';
import { dateTime, money, number } from '../format.js';

// A shipping label exists once a shipment left, or is waiting at the store for pickup.
const LABELLED = ['shipped', 'delivered', 'ready_for_pickup', 'picked_up'];
const CLOSED = ['shipped', 'delivered', 'picked_up', 'returned', 'partially_returned', 'cancelled'];

export function renderOrder(main, ctx, id) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('p', {}, h('a', { href: '#/orders' }, '← Orders')), body);
  load(body, ctx, id);
}

async function load(body, ctx, id) {
  const path = `/v1/orders/${encodeURIComponent(id)}`;
  try {
    // Shipments are read by roles that fulfil and by customer service (the server's rule).
    const readsShipments = ctx.can('fulfillment') || ctx.session.role === 'support';
    const [order, events, routing, returns, payments, shipmentList] = await Promise.all([
      get(path),
      get(`${path}/events`),
      get(`${path}/allocations`),
      get(`/v1/returns?order_id=${encodeURIComponent(id)}`),
      get(`${path}/payments`),
      readsShipments ? get(`/v1/shipments?order_id=${encodeURIComponent(id)}&limit=200`) : { data: [] },
    ]);
    const shipments = shipmentList.data || [];
    if (!ctx.isCurrent()) return;
    clear(body).append(
      header(order),
      actions(order, ctx, () => load(body, ctx, id)),
      h('div', { class: 'two-col' }, linesCard(order), totalsCard(order)),
      allocationsCard(routing),
      shipmentsCard(shipments),
      paymentsCard(payments, order.currency),
      returnsCard(returns.data || []),
      ctx.can('orders.manage') ? serviceCard(order, () => load(body, ctx, id)) : null,
      timeline(events.data || []),
    );
  } catch (e) {
    clear(body).append(h('p', { class: 'error' }, `Cannot load the order: ${e.message}`));
  }
}

function header(o) {
  const addr = o.shipping_address;
  return h(
    'section',
    { class: 'order-head', 'data-test': 'order-head' },
    h('h1', {}, `Order ${o.number} `, h('span', { class: `status s-${o.status}`, 'data-test': 'order-status' }, o.status.replace(/_/g, ' '))),
    h(
      'dl',
      { class: 'facts' },
      fact('Channel', o.channel),
      fact('Created', dateTime(o.created_at)),
      fact('Customer', o.customer ? `${o.customer.name || ''} <${o.customer.email}>` : '—'),
      fact('Fulfilment', o.fulfillment ? `${o.fulfillment.method}${o.fulfillment.location ? ` at ${o.fulfillment.location}` : ''}` : '—'),
      fact('Ship to', addr ? [addr.name, addr.line1, addr.city, addr.region, addr.postal_code].filter(Boolean).join(', ') : '—'),
      fact('Ship by', dateTime(o.promised_ship_by)),
      o.hold_reason ? fact('Hold reason', o.hold_reason) : null,
      o.cancel_reason ? fact('Cancel reason', o.cancel_reason) : null,
    ),
  );
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function actions(o, ctx, reload) {
  const bar = h('div', { class: 'actions', 'data-test': 'order-actions' });
  const message = h('p', { class: 'error', role: 'alert', hidden: true, 'data-test': 'action-error' });
  const reason = h('input', { type: 'text', placeholder: 'Reason (for hold or cancel)', 'aria-label': 'Reason', 'data-test': 'reason' });
  const run = async (what, body) => {
    message.hidden = true;
    for (const b of bar.querySelectorAll('button')) b.disabled = true;
    try {
      await post(`/v1/orders/${encodeURIComponent(o.id)}/${what}`, body);
      reload();
    } catch (e) {
      message.textContent = e.message;
      message.hidden = false;
      for (const b of bar.querySelectorAll('button')) b.disabled = false;
    }
  };
  const manage = ctx.can('orders.manage');
  if (manage && !CLOSED.includes(o.status)) {
    bar.append(reason);
    if (o.status === 'on_hold') {
      bar.append(h('button', { onclick: () => run('release', {}), 'data-test': 'release' }, 'Release'));
    } else {
      bar.append(h('button', { onclick: () => run('hold', { reason: reason.value || 'held from the console' }), 'data-test': 'hold' }, 'Hold'));
    }
    const confirm = h('button', { class: 'danger', hidden: true, 'data-test': 'cancel-confirm', onclick: () => run('cancel', { reason: reason.value || 'cancelled from the console' }) }, 'Yes, cancel the order');
    bar.append(
      h('button', { class: 'danger-outline', 'data-test': 'cancel', onclick: () => { confirm.hidden = false; } }, 'Cancel order…'),
      confirm,
    );
  }
  bar.append(h('a', { class: 'button', href: `/v1/orders/${encodeURIComponent(o.id)}/invoice.pdf`, target: '_blank', rel: 'noopener', 'data-test': 'invoice' }, 'Invoice (PDF)'));
  return h('div', {}, bar, message);
}

function linesCard(o) {
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Lines'),
    h(
      'table',
      { 'data-test': 'lines' },
      h('thead', {}, h('tr', {}, ['SKU', 'Item', 'Qty', 'Allocated', 'Shipped', 'Cancelled', 'Price'].map((t) => h('th', { class: t === 'SKU' || t === 'Item' ? null : 'num' }, t)))),
      h(
        'tbody',
        {},
        (o.lines || []).map((l) =>
          h('tr', {}, h('td', {}, l.sku), h('td', {}, l.name), ...[l.qty, l.qty_allocated, l.qty_shipped, l.qty_cancelled].map((n) => h('td', { class: 'num' }, number(n))), h('td', { class: 'num' }, money(l.unit_price, o.currency))),
        ),
      ),
    ),
  );
}

function totalsCard(o) {
  const t = o.totals || {};
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Totals'),
    h('dl', { class: 'facts' }, ['subtotal', 'discount', 'shipping', 'tax', 'total'].map((k) => fact(k[0].toUpperCase() + k.slice(1), money(t[k], o.currency)))),
  );
}

function allocationsCard(r) {
  const allocs = r.allocations || [];
  const routing = r.routing || {};
  return h(
    'section',
    { class: 'card', 'data-test': 'allocations' },
    h('h2', {}, 'Allocations'),
    allocs.length === 0
      ? h('p', { class: 'muted' }, 'Nothing allocated.')
      : h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'SKU'), h('th', {}, 'Location'), h('th', { class: 'num' }, 'Qty'), h('th', { class: 'num' }, 'Distance'))), h('tbody', {}, allocs.map((a) => h('tr', {}, h('td', {}, a.sku), h('td', {}, a.location), h('td', { class: 'num' }, number(a.qty)), h('td', { class: 'num' }, a.distance_km === null || a.distance_km === undefined ? '—' : `${number(a.distance_km)} km`))))),
    routing.engine
      ? h(
          'div',
          { class: 'routing', 'data-test': 'routing' },
          h('h3', {}, `Why these locations: ${routing.engine} routing, ${String(routing.strategy || '').replace(/_/g, ' ')}${routing.complete === false ? ' (incomplete)' : ''}`),
          h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Candidate'), h('th', { class: 'num' }, 'Distance'), h('th', { class: 'num' }, 'Units available'), h('th', {}, 'Verdict'))), h('tbody', {}, (routing.candidates || []).map((c) => h('tr', { class: c.verdict === 'chosen' ? 'chosen' : null }, h('td', {}, c.location), h('td', { class: 'num' }, c.distance_km === undefined || c.distance_km === null ? '—' : `${number(c.distance_km)} km`), h('td', { class: 'num' }, number(c.units_available)), h('td', {}, String(c.verdict || '').replace(/_/g, ' ')))))),
        )
      : null,
  );
}

function shipmentsCard(shipments) {
  return h(
    'section',
    { class: 'card', 'data-test': 'shipments' },
    h('h2', {}, 'Shipments'),
    shipments.length === 0
      ? h('p', { class: 'muted' }, 'No shipments.')
      : h('table', {}, h('thead', {}, h('tr', {}, ['Shipment', 'Location', 'Status', 'Carrier', 'Tracking', 'Ship by', ''].map((t) => h('th', {}, t)))), h('tbody', {}, shipments.map((s) => h('tr', {}, h('td', {}, s.id), h('td', {}, s.location), h('td', {}, h('span', { class: `status s-${s.status}` }, s.status.replace(/_/g, ' '))), h('td', {}, [s.carrier, s.service].filter(Boolean).join(' ') || '—'), h('td', {}, s.tracking_number || '—'), h('td', {}, dateTime(s.promised_ship_by)), h('td', {}, h('a', { href: `/v1/shipments/${encodeURIComponent(s.id)}/packing-slip.pdf`, target: '_blank', rel: 'noopener', 'data-test': 'packing-slip' }, 'Packing slip'), LABELLED.includes(s.status) ? [' · ', h('a', { href: `/v1/shipments/${encodeURIComponent(s.id)}/label.pdf`, target: '_blank', rel: 'noopener', 'data-test': 'label' }, 'Label')] : null))))),
  );
}

function timeline(events) {
  return h(
    'section',
    { class: 'card', 'data-test': 'timeline' },
    h('h2', {}, 'Timeline'),
    h(
      'ol',
      { class: 'timeline' },
      events.map((e) =>
        h(
          'li',
          { 'data-event': e.type },
          h('time', {}, dateTime(e.created_at)),
          h('strong', {}, e.type),
          e.data && Object.keys(e.data).length ? h('span', { class: 'muted small' }, ' ', summary(e.data)) : null,
        ),
      ),
    ),
  );
}

function summary(data) {
  return Object.entries(data)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`)
    .join(' · ');
}

function returnsCard(rows) {
  return h(
    'section',
    { class: 'card', 'data-test': 'returns' },
    h('h2', {}, 'Returns'),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No returns.')
      : h('table', {}, h('thead', {}, h('tr', {}, ['Return', 'Status', 'Resolution', 'Location', 'Refunded', 'Created'].map((t) => h('th', { class: t === 'Refunded' ? 'num' : null }, t)))), h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, r.number || r.id), h('td', {}, h('span', { class: 'status' }, String(r.status || '').replace(/_/g, ' '))), h('td', {}, r.resolution), h('td', {}, r.location), h('td', { class: 'num' }, money(r.refunded, r.currency)), h('td', {}, dateTime(r.created_at)))))),
  );
}

function paymentsCard(p, currency) {
  const rows = (p && p.data) || [];
  return h(
    'section',
    { class: 'card', 'data-test': 'payments' },
    h('h2', {}, 'Payments'),
    h('dl', { class: 'facts' }, fact('Provider', p.provider || '—'), fact('Authorized', money(p.authorized, currency)), fact('Captured', money(p.captured, currency)), fact('Refunded', money(p.refunded, currency))),
    rows.length === 0
      ? null
      : h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Kind', 'Status', 'Amount', 'Reference'].map((t) => h('th', { class: t === 'Amount' ? 'num' : null }, t)))), h('tbody', {}, rows.map((t) => h('tr', {}, h('td', {}, dateTime(t.created_at)), h('td', {}, t.kind), h('td', {}, t.status), h('td', { class: 'num' }, money(t.amount, currency)), h('td', {}, t.provider_ref || t.error || ''))))),
  );
}

// Customer service: a note into the order's history, a new shipping address (PATCH with
// If-Match: the server routes the order again), and a return of shipped units.
function serviceCard(o, reload) {
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-test': 'service-error' });
  const run = async (fn) => {
    error.hidden = true;
    try {
      await fn();
      reload();
    } catch (e) {
      error.textContent = e.field ? `${e.field}: ${e.message}` : e.message;
      error.hidden = false;
    }
  };
  const note = h('textarea', { rows: 2, placeholder: 'Note for the order history', 'aria-label': 'Note', 'data-test': 'note' });
  const a = o.shipping_address || {};
  const field = (name, label) => h('input', { name, value: a[name] || '', placeholder: label, 'aria-label': label, 'data-test': `addr-${name}` });
  const addr = ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country'].map((k) => field(k, k.replace('_', ' ')));
  const address = () => Object.fromEntries(addr.filter((i) => i.value.trim() !== '').map((i) => [i.name, i.value.trim()]));
  return h(
    'section',
    { class: 'card service', 'data-test': 'service' },
    h('h2', {}, 'Customer service'),
    h('div', { class: 'actions' }, note, h('button', { 'data-test': 'add-note', onclick: () => run(() => post(`/v1/orders/${encodeURIComponent(o.id)}/notes`, { text: note.value })) }, 'Add note')),
    h('h3', {}, 'Shipping address'),
    h('div', { class: 'actions address' }, addr, h('button', { 'data-test': 'save-address', onclick: () => run(() => api('PATCH', `/v1/orders/${encodeURIComponent(o.id)}`, { shipping_address: address() }, { ifMatch: o.version })) }, 'Save address')),
    returnForm(o, run),
    error,
  );
}

const REASONS = ['too_small', 'too_large', 'damaged', 'defective', 'wrong_item', 'late', 'changed_mind', 'other'];

function returnForm(o, run) {
  const shipped = (o.lines || []).filter((l) => l.qty_shipped - (l.qty_returned || 0) > 0);
  if (shipped.length === 0) return null;
  const qtys = shipped.map((l) => h('input', { type: 'number', min: 0, max: l.qty_shipped - (l.qty_returned || 0), value: 0, 'aria-label': `Return qty of ${l.sku}`, 'data-test': `return-qty-${l.sku}` }));
  const reason = h('select', { 'aria-label': 'Reason', 'data-test': 'return-reason' }, REASONS.map((r) => h('option', { value: r }, r.replace(/_/g, ' '))));
  const location = h('input', { placeholder: 'Receiving location code', 'aria-label': 'Location', 'data-test': 'return-location' });
  const start = () =>
    run(() =>
      post('/v1/returns', {
        order_id: o.id,
        location: location.value.trim(),
        resolution: 'refund',
        lines: shipped.map((l, i) => ({ line_id: l.id, qty: Number(qtys[i].value), reason: reason.value })).filter((l) => l.qty > 0),
      }),
    );
  return h(
    'div',
    {},
    h('h3', {}, 'Start a return'),
    h('table', {}, h('tbody', {}, shipped.map((l, i) => h('tr', {}, h('td', {}, l.sku), h('td', {}, `shipped ${l.qty_shipped}`), h('td', {}, qtys[i]))))),
    h('div', { class: 'actions' }, reason, location, h('button', { 'data-test': 'start-return', onclick: start }, 'Start return (refund)')),
  );
}
