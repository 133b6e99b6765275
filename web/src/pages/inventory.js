// inventory.js — stock as a SKU × location grid (available, with on hand and reserved), a page
// of products at a time (GET /v1/products with its cursor, then GET /v1/inventory/{sku}); a
// cell opens its ledger (GET /v1/inventory/{sku}/ledger?location=) and, for roles that may
// change stock, an adjustment (POST /v1/inventory/adjustments) or a count (PUT).
import { api, get, post, query } from '../api.js';
import { clear, h } from '../dom.js';
import { dateTime, number } from '../format.js';

const PAGE = 25;

export function renderInventory(main, ctx) {
  const grid = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const detail = h('div', { 'data-test': 'stock-detail' });
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Inventory')), grid, detail);
  const cursors = [null];
  const show = (i) => loadPage(grid, detail, ctx, cursors, i, show);
  show(0);
}

async function loadPage(grid, detail, ctx, cursors, index, show) {
  try {
    const [locs, products] = await Promise.all([get('/v1/locations'), get(`/v1/products${query({ limit: PAGE, cursor: cursors[index] })}`)]);
    const views = await Promise.all((products.data || []).map((p) => get(`/v1/inventory/${encodeURIComponent(p.sku)}`)));
    if (!ctx.isCurrent()) return;
    cursors[index + 1] = products.next_cursor || null;
    const codes = (locs.data || []).map((l) => l.code);
    const open = (sku, loc) =>
      openCell(detail, ctx, sku, loc, () => {
        show(index);
        open(sku, loc);
      });
    clear(grid).append(
      h(
        'div',
        { class: 'card' },
        h(
          'table',
          { class: 'grid', 'data-test': 'stock-grid' },
          h('thead', {}, h('tr', {}, h('th', {}, 'SKU'), codes.map((c) => h('th', { class: 'num' }, c)), h('th', { class: 'num' }, 'Total available'))),
          h(
            'tbody',
            {},
            views.map((v) => {
              const at = new Map((v.locations || []).map((l) => [l.location, l]));
              return h(
                'tr',
                { 'data-sku': v.sku },
                h('td', {}, v.sku),
                codes.map((c) => {
                  const s = at.get(c);
                  if (!s) return h('td', { class: 'num muted' }, '—');
                  const low = s.available <= s.safety_stock;
                  return h(
                    'td',
                    { class: `num cell${low ? ' low' : ''}`, 'data-location': c },
                    h('button', { class: 'link-cell', onclick: () => open(v.sku, c), title: `on hand ${s.on_hand}, reserved ${s.reserved}, safety ${s.safety_stock}` }, h('strong', {}, number(s.available)), h('span', { class: 'muted small' }, ` ${number(s.on_hand)}/${number(s.reserved)}`)),
                  );
                }),
                h('td', { class: 'num' }, number(v.available)),
              );
            }),
          ),
        ),
        h('p', { class: 'muted small' }, 'Each cell: available, then on hand / reserved. Red: at or below safety stock.'),
      ),
      h(
        'div',
        { class: 'pager' },
        h('button', { disabled: index === 0, onclick: () => show(index - 1) }, '← Previous'),
        h('span', { class: 'muted' }, `Page ${index + 1}`),
        h('button', { disabled: !products.next_cursor, onclick: () => show(index + 1) }, 'Next →'),
      ),
    );
  } catch (e) {
    clear(grid).append(h('p', { class: 'error' }, `Cannot load the stock: ${e.message}`));
  }
}

async function openCell(detail, ctx, sku, location, reload) {
  clear(detail).append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const ledger = await get(`/v1/inventory/${encodeURIComponent(sku)}/ledger${query({ location, limit: 50 })}`);
    clear(detail).append(
      h(
        'section',
        { class: 'card', 'data-test': 'ledger' },
        h('h2', {}, `${sku} at ${location}`),
        ctx.can('inventory.write') ? adjustForm(sku, location, reload) : null,
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['When', 'Kind', 'On hand', 'Reserved', 'Reason', 'Reference'].map((t) => h('th', { class: t === 'On hand' || t === 'Reserved' ? 'num' : null }, t)))),
          h('tbody', {}, (ledger.data || []).map((r) => h('tr', {}, h('td', {}, dateTime(r.created_at)), h('td', {}, r.kind), h('td', { class: 'num' }, signed(r.on_hand_delta)), h('td', { class: 'num' }, signed(r.reserved_delta)), h('td', {}, r.reason || ''), h('td', {}, [r.ref_type, r.ref_id].filter(Boolean).join(' '))))),
        ),
      ),
    );
    detail.scrollIntoView({ block: 'nearest' });
  } catch (e) {
    clear(detail).append(h('p', { class: 'error' }, e.message));
  }
}

function signed(n) {
  return n > 0 ? `+${number(n)}` : number(n);
}

function adjustForm(sku, location, reload) {
  const delta = h('input', { type: 'number', step: 1, placeholder: '±units', 'aria-label': 'Adjustment', 'data-test': 'adjust-delta' });
  const reason = h('input', { placeholder: 'Reason (damaged, found …)', 'aria-label': 'Reason', 'data-test': 'adjust-reason' });
  const count = h('input', { type: 'number', min: 0, step: 1, placeholder: 'Counted on hand', 'aria-label': 'Count', 'data-test': 'count' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-test': 'adjust-error' });
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
  return h(
    'div',
    { class: 'actions' },
    delta,
    reason,
    h('button', { 'data-test': 'adjust', onclick: () => run(() => post('/v1/inventory/adjustments', { sku, location, delta: Number(delta.value), reason: reason.value || 'adjustment' })) }, 'Adjust'),
    count,
    h('button', { 'data-test': 'count-save', onclick: () => run(() => api('PUT', `/v1/inventory/${encodeURIComponent(sku)}/${encodeURIComponent(location)}`, { on_hand: Number(count.value) })) }, 'Save count'),
    error,
  );
}
