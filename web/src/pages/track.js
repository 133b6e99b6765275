// track.js — customers' self-service at /track: order number and e-mail → that order's status,
// lines and shipments with tracking (GET /v1/track, no sign-in). Any mismatch shows nothing.
import { api, post, query } from '../api.js';
import { clear, h } from '../dom.js';
import { dateTime, money, number } from '../format.js';

export function renderTrack(root) {
  const params = new URLSearchParams(location.search);
  const num = h('input', { id: 'track-number', name: 'number', required: true, value: params.get('number') || '', placeholder: 'SO-1001', autocomplete: 'off' });
  const email = h('input', { id: 'track-email', name: 'email', type: 'email', required: true, autocomplete: 'email' });
  const result = h('div', { 'data-test': 'track-result' });
  const form = h(
    'form',
    { class: 'filters', 'data-test': 'track-form' },
    h('label', { for: 'track-number' }, h('span', {}, 'Order number'), num),
    h('label', { for: 'track-email' }, h('span', {}, 'E-mail used for the order'), email),
    h('button', { type: 'submit', class: 'primary' }, 'Find my order'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result).append(h('p', { class: 'muted' }, 'Looking…'));
    try {
      const order = await api('GET', `/v1/track${query({ number: num.value.trim(), email: email.value.trim() })}`, undefined, { quiet401: true });
      clear(result).append(show(order), returnForm(order, num.value.trim(), email.value.trim()));
    } catch (e) {
      let text = e.message;
      if (e.status === 404) text = 'No order matches that number and e-mail.';
      if (e.status === 429) text = 'Too many look-ups that found nothing. Please try again later.';
      clear(result).append(h('p', { class: 'error', 'data-test': 'track-error' }, text));
    }
  });
  root.append(
    h(
      'main',
      { class: 'page track', 'data-page': 'track' },
      h('h1', {}, 'Track your order'),
      form,
      result,
    ),
  );
}

function show(o) {
  return h(
    'section',
    { class: 'card', 'data-test': 'track-order' },
    h('h2', {}, `Order ${o.number} `, h('span', { class: `status s-${o.status}`, 'data-test': 'track-status' }, o.status.replace(/_/g, ' '))),
    h('p', { class: 'muted' }, `Placed ${dateTime(o.created_at)} · total ${money(o.total, o.currency)}`),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Item'), h('th', { class: 'num' }, 'Qty'), h('th', { class: 'num' }, 'Shipped'))), h('tbody', {}, o.lines.map((l) => h('tr', {}, h('td', {}, l.name), h('td', { class: 'num' }, number(l.qty)), h('td', { class: 'num' }, number(l.qty_shipped)))))),
    h('h3', {}, 'Shipments'),
    o.shipments.length === 0
      ? h('p', { class: 'muted' }, 'Not shipped yet.')
      : h('ul', {}, o.shipments.map((s) => h('li', {}, `${s.status.replace(/_/g, ' ')}`, s.tracking_number ? ` · ${[s.carrier, s.service].filter(Boolean).join(' ')} tracking ${s.tracking_number}` : '', s.shipped_at ? ` · shipped ${dateTime(s.shipped_at)}` : ''))),
  );
}

const REASONS = ['too_small', 'too_large', 'damaged', 'defective', 'wrong_item', 'late', 'changed_mind', 'other'];

// A refund return of shipped units (POST /v1/track/returns); the server checks the window.
function returnForm(o, orderNumber, email) {
  const lines = o.lines.filter((l) => l.qty_shipped - l.qty_returned > 0);
  if (lines.length === 0 || o.return_locations.length === 0) return null;
  const qtys = lines.map((l) => h('input', { type: 'number', min: 0, max: l.qty_shipped - l.qty_returned, value: 0, 'aria-label': `How many ${l.name} to return`, 'data-test': `return-qty-${l.sku}` }));
  const reason = h('select', { 'aria-label': 'Reason', 'data-test': 'return-reason' }, REASONS.map((r) => h('option', { value: r }, r.replace(/_/g, ' '))));
  const location = h('select', { 'aria-label': 'Where you will bring it', 'data-test': 'return-location' }, o.return_locations.map((l) => h('option', { value: l.code }, `${l.name}${l.city ? `, ${l.city}` : ''}`)));
  const message = h('p', { role: 'status', 'data-test': 'return-message' });
  const button = h('button', { class: 'primary', 'data-test': 'start-return' }, 'Start the return');
  button.addEventListener('click', async () => {
    message.className = '';
    message.textContent = '';
    const chosen = lines.map((l, i) => ({ line_id: l.line_id, qty: Number(qtys[i].value), reason: reason.value })).filter((l) => l.qty > 0);
    try {
      const r = await post(`/v1/track/returns${query({ number: orderNumber, email })}`, { location: location.value, lines: chosen });
      message.textContent = `Return ${r.number} started: bring the items to ${location.selectedOptions[0].textContent}.`;
      message.className = 'ok';
      button.disabled = true;
    } catch (e) {
      message.textContent = e.message;
      message.className = 'error';
    }
  });
  return h(
    'section',
    { class: 'card', 'data-test': 'track-return' },
    h('h2', {}, 'Return items'),
    h('table', {}, h('tbody', {}, lines.map((l, i) => h('tr', {}, h('td', {}, l.name), h('td', { class: 'muted' }, `shipped ${l.qty_shipped}`), h('td', {}, qtys[i]))))),
    h('div', { class: 'actions' }, reason, location, button),
    message,
  );
}
