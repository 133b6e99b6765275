// pick.js — the store and warehouse screen for a phone (usable at 375 px): start a pick list
// for a location, confirm each unit by typing or scanning its SKU (a hardware scanner types
// and presses Enter), report a short pick, complete the list, then pack and ship each shipment
// with its tracking number. Every step is one API call; the server decides what is allowed.
import { get, post, query } from '../api.js';
import { clear, h } from '../dom.js';

export function renderPick(main, ctx) {
  const body = h('div', { class: 'pick' });
  main.append(h('h1', {}, 'Pick, pack & ship'), body);
  chooseLocation(body, ctx);
}

async function chooseLocation(body, ctx) {
  const fixed = ctx.session.role === 'warehouse' ? ctx.session.scope : null;
  const select = h('select', { id: 'pick-location', 'aria-label': 'Location' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-test': 'pick-error' });
  const start = h('button', { class: 'primary big-button', 'data-test': 'pick-start' }, 'Start a pick list');
  const handover = h('section', { class: 'handover', 'data-test': 'handover' });
  clear(body).append(h('label', { for: 'pick-location' }, 'Location'), select, start, error, handover);
  select.addEventListener('change', () => pickups(handover, select.value));
  if (fixed) {
    select.append(h('option', { value: fixed }, fixed));
    select.disabled = true;
  } else {
    try {
      const res = await get('/v1/locations');
      for (const l of res.data || []) if (l.active) select.append(h('option', { value: l.code }, `${l.code} — ${l.name}`));
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  }
  if (select.value) pickups(handover, select.value);
  start.addEventListener('click', async () => {
    start.disabled = true;
    error.hidden = true;
    try {
      const list = await post('/v1/pick-lists', { location: select.value, max_shipments: 10, picker: ctx.session.email });
      picking(body, ctx, list);
    } catch (e) {
      error.textContent = e.status === 409 ? `Nothing to pick: ${e.message}` : e.message;
      error.hidden = false;
      start.disabled = false;
    }
  });
}

// The pick: each line counts the units confirmed; Enter in the scan field confirms one unit of
// that SKU on the first line that still needs it.
function picking(body, ctx, list) {
  const picked = list.lines.map(() => 0);
  const shorted = list.lines.map(() => 0);
  const scan = h('input', { id: 'scan', class: 'scan', autocomplete: 'off', autocapitalize: 'characters', placeholder: 'Scan or type a SKU', 'data-test': 'scan' });
  const feedback = h('p', { class: 'muted', 'aria-live': 'polite', 'data-test': 'scan-feedback' });
  const complete = h('button', { class: 'primary big-button', disabled: true, 'data-test': 'pick-complete' }, 'Complete pick list');
  const rows = list.lines.map((line, i) => {
    const count = h('span', { class: 'count' });
    const shortBtn = h('button', { class: 'danger-outline', 'data-test': `short-${i}` }, 'Short');
    const li = h('li', { class: 'pick-line', 'data-sku': line.sku }, h('div', {}, h('strong', {}, line.sku), line.bin_location ? h('span', { class: 'muted' }, ` bin ${line.bin_location}`) : null), count, shortBtn);
    shortBtn.addEventListener('click', () => {
      shorted[i] = line.qty - picked[i];
      refresh();
    });
    return { li, count, line };
  });
  function refresh() {
    let done = true;
    rows.forEach((r, i) => {
      const left = r.line.qty - picked[i] - shorted[i];
      r.count.textContent = `${picked[i]} / ${r.line.qty}${shorted[i] ? ` (${shorted[i]} short)` : ''}`;
      r.li.classList.toggle('done', left === 0);
      if (left > 0) done = false;
    });
    complete.disabled = !done;
  }
  scan.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const sku = scan.value.trim().toUpperCase();
    scan.value = '';
    const i = rows.findIndex((r, k) => r.line.sku.toUpperCase() === sku && picked[k] + shorted[k] < r.line.qty);
    if (i < 0) {
      feedback.textContent = `${sku || 'Nothing'}: not on this list or already picked`;
      feedback.className = 'error';
    } else {
      picked[i]++;
      feedback.textContent = `${rows[i].line.sku}: ${picked[i]} of ${rows[i].line.qty}`;
      feedback.className = 'ok';
    }
    refresh();
  });
  complete.addEventListener('click', async () => {
    complete.disabled = true;
    const short = [];
    rows.forEach((r, i) => { if (shorted[i] > 0) short.push({ sku: r.line.sku, qty: shorted[i] }); });
    try {
      await post(`/v1/pick-lists/${encodeURIComponent(list.id)}/complete`, { picker: ctx.session.email, ...(short.length ? { short } : {}) });
      packing(body, list.shipments);
    } catch (e) {
      feedback.textContent = e.message;
      feedback.className = 'error';
      complete.disabled = false;
    }
  });
  clear(body).append(h('p', { class: 'muted' }, `Pick list ${list.id} at ${list.location}`), scan, feedback, h('ul', { class: 'pick-lines', 'data-test': 'pick-lines' }, rows.map((r) => r.li)), complete);
  refresh();
  scan.focus();
}

async function packing(body, shipmentIds) {
  clear(body).append(h('h2', {}, 'Pack and ship'));
  for (const id of shipmentIds) {
    let s = null;
    try {
      s = await get(`/v1/shipments/${encodeURIComponent(id)}`);
    } catch {
      continue;
    }
    body.append(shipmentCard(s));
  }
}

// BOPIS hand-over: the location's shipments ready for pickup; the customer's pickup code
// (typed or scanned from the QR code) hands one over (POST /v1/shipments/{id}/pickup).
async function pickups(box, location) {
  clear(box);
  if (!location) return;
  let res = null;
  let pending = null;
  try {
    [res, pending] = await Promise.all([
      get(`/v1/shipments${query({ location, status: 'ready_for_pickup', limit: 50 })}`),
      get(`/v1/shipments${query({ location, status: 'pending', limit: 50 })}`),
    ]);
  } catch {
    return;
  }
  const toPrepare = (pending.data || []).filter((s) => s.method === 'pickup');
  if (toPrepare.length > 0) {
    box.append(h('h2', {}, `Pickup orders to prepare (${toPrepare.length})`), ...toPrepare.map((s) => pickupReadyCard(s, () => pickups(box, location))));
  }
  const rows = res.data || [];
  box.append(h('h2', {}, `Waiting for pickup (${rows.length})`));
  for (const s of rows) {
    const code = h('input', { placeholder: 'Pickup code', autocomplete: 'off', 'data-test': 'pickup-code' });
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const status = h('span', { class: `status s-${s.status}`, 'data-test': 'pickup-status' }, s.status.replace(/_/g, ' '));
    const give = h('button', { class: 'primary', 'data-test': 'hand-over' }, 'Hand over');
    give.addEventListener('click', async () => {
      error.hidden = true;
      try {
        const r = await post(`/v1/shipments/${encodeURIComponent(s.id)}/pickup`, { pickup_code: code.value.trim() });
        status.textContent = r.status.replace(/_/g, ' ');
        give.disabled = true;
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
      }
    });
    box.append(h('section', { class: 'card ship-card', 'data-pickup': s.id }, h('h3', {}, `${s.order_number || s.order_id} `, status), h('ul', { class: 'muted' }, (s.lines || []).map((l) => h('li', {}, `${l.qty} × ${l.sku}`))), h('div', { class: 'row' }, code, give), error));
  }
}

function shipmentCard(s) {
  if (s.method === 'pickup') return pickupReadyCard(s);
  const card = h('section', { class: 'card ship-card', 'data-shipment': s.id });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const fail = (e) => { error.textContent = e.message; error.hidden = false; };
  const weight = h('input', { type: 'number', min: 1, inputmode: 'numeric', placeholder: 'Weight (g)', 'data-test': 'weight' });
  const carrier = h('input', { placeholder: 'Carrier', value: 'UPS', 'data-test': 'carrier' });
  const service = h('input', { placeholder: 'Service', value: 'ground', 'data-test': 'service' });
  const tracking = h('input', { placeholder: 'Tracking number', 'data-test': 'tracking' });
  const status = h('span', { class: `status s-${s.status}`, 'data-test': 'ship-status' }, s.status);
  const setStatus = (st) => { status.textContent = st; status.className = `status s-${st}`; };
  const pack = h('button', { class: 'primary', 'data-test': 'pack' }, 'Packed');
  const ship = h('button', { class: 'primary', 'data-test': 'ship', disabled: s.status !== 'packed' }, 'Shipped');
  pack.addEventListener('click', async () => {
    error.hidden = true;
    try {
      const r = await post(`/v1/shipments/${encodeURIComponent(s.id)}/pack`, { packages: [{ weight_grams: Number(weight.value) }] });
      setStatus(r.status);
      pack.disabled = true;
      ship.disabled = false;
      tracking.focus();
    } catch (e) { fail(e); }
  });
  ship.addEventListener('click', async () => {
    error.hidden = true;
    try {
      const r = await post(`/v1/shipments/${encodeURIComponent(s.id)}/ship`, { carrier: carrier.value, service: service.value, tracking_number: tracking.value });
      setStatus(r.status);
      ship.disabled = true;
    } catch (e) { fail(e); }
  });
  card.append(
    h('h3', {}, `${s.order_number || s.order_id} `, status),
    h('ul', { class: 'muted' }, (s.lines || []).map((l) => h('li', {}, `${l.qty} × ${l.sku}`))),
    h('div', { class: 'row' }, weight, pack),
    h('div', { class: 'row' }, carrier, service),
    h('div', { class: 'row' }, tracking, ship),
    error,
  );
  return card;
}

// A pickup order's shipment after picking: the store marks it ready (the customer is told).
function pickupReadyCard(s, after) {
  const status = h('span', { class: `status s-${s.status}`, 'data-test': 'ship-status' }, s.status.replace(/_/g, ' '));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const ready = h('button', { class: 'primary', 'data-test': 'ready' }, 'Ready for pickup');
  ready.addEventListener('click', async () => {
    error.hidden = true;
    try {
      const r = await post(`/v1/shipments/${encodeURIComponent(s.id)}/ready`);
      status.textContent = r.status.replace(/_/g, ' ');
      ready.disabled = true;
      if (after) after();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
    }
  });
  return h('section', { class: 'card ship-card', 'data-shipment': s.id }, h('h3', {}, `${s.order_number || s.order_id} `, status), h('ul', { class: 'muted' }, (s.lines || []).map((l) => h('li', {}, `${l.qty} × ${l.sku}`))), ready, error);
}
