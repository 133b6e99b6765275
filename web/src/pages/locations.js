// locations.js — the locations: a list with today's load against capacity (shipments made at
// each today, from GET /v1/shipments?location=) and a map drawn here, without a tile server:
// the contiguous US as a cloud of postal-code points (GeoNames, CC BY 4.0) with each location
// at its latitude/longitude. Roles that may change the catalog can activate or deactivate a
// location (PATCH with If-Match), which takes it out of routing.
import { api, get, query } from '../api.js';
import { clear, h, svg } from '../dom.js';
import { day, number } from '../format.js';
import us from '../generated/us-points.json';

// A plain equirectangular projection scaled by cos(38°): good enough for a picture of where
// things are; x and y in the SVG's units.
const W = 960;
const H = 450;
const LON0 = -125;
const LAT1 = 50;
const KX = W / 59;
const KY = (W / 59) / Math.cos((38 * Math.PI) / 180);
const project = (lon, lat) => [(lon - LON0) * KX, (LAT1 - lat) * KY * 0.8 + 10];

export function renderLocations(main, ctx) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Locations')), body);
  load(body, ctx);
}

async function load(body, ctx) {
  try {
    const locs = await get('/v1/locations');
    const rows = locs.data || [];
    const counts = ctx.can('fulfillment') ? await Promise.all(rows.map((l) => shipmentsToday(l.code))) : rows.map(() => null);
    if (!ctx.isCurrent()) return;
    const orders = new Map(rows.map((l, i) => [l.code, counts[i]]));
    clear(body).append(map(rows, orders), table(rows, orders, ctx, () => load(body, ctx)));
  } catch (e) {
    clear(body).append(h('p', { class: 'error' }, `Cannot load the locations: ${e.message}`));
  }
}

// Today's load of a location: its shipments created today (GET /v1/shipments?location=, newest
// first), read a page at a time until one is older than today (at most 10 pages).
async function shipmentsToday(code) {
  const today = day(new Date());
  let count = 0;
  let cursor = null;
  for (let page = 0; page < 10; page++) {
    const res = await get(`/v1/shipments${query({ location: code, limit: 100, cursor })}`);
    const rows = res.data || [];
    const todays = rows.filter((s) => (s.created_at || '').slice(0, 10) === today).length;
    count += todays;
    if (!res.next_cursor || todays < rows.length) break;
    cursor = res.next_cursor;
  }
  return count;
}

function map(rows, orders) {
  const cloud = us.points
    .map(([lon, lat]) => {
      const [x, y] = project(lon / 100, lat / 100);
      return `M${x.toFixed(1)} ${y.toFixed(1)}h1.6v1.6h-1.6z`;
    })
    .join('');
  const marks = rows
    .filter((l) => l.address && typeof l.address.lat === 'number' && typeof l.address.lon === 'number')
    .map((l) => {
      const [x, y] = project(l.address.lon, l.address.lat);
      const used = l.capacity_per_day > 0 ? (orders.get(l.code) || 0) / l.capacity_per_day : 0;
      return svg(
        'g',
        { class: `loc ${l.active ? '' : 'inactive'} k-${l.kind}`, 'data-location': l.code },
        svg('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: 7 + Math.min(8, used * 8) }),
        svg('text', { x: (x + 11).toFixed(1), y: (y + 4).toFixed(1) }, document.createTextNode(l.code)),
      );
    });
  return h(
    'figure',
    { class: 'map card', 'data-test': 'map' },
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Map of the locations' }, svg('path', { d: cloud, class: 'land' }), ...marks),
    h('figcaption', { class: 'muted small' }, `${us.attribution}. Circle size: today's shipments against capacity.`),
  );
}

function table(rows, orders, ctx, reload) {
  const canEdit = ctx.can('catalog.write');
  return h(
    'section',
    { class: 'card' },
    h(
      'table',
      { 'data-test': 'locations-table' },
      h('thead', {}, h('tr', {}, ['Code', 'Name', 'Kind', 'Capabilities', 'Shipments today', 'Capacity / day', 'Load', 'Active', ''].map((t) => h('th', { class: ['Shipments today', 'Capacity / day', 'Load'].includes(t) ? 'num' : null }, t)))),
      h(
        'tbody',
        {},
        rows.map((l) => {
          const today = orders.get(l.code);
          const load = l.capacity_per_day > 0 && today !== null ? `${Math.round((today / l.capacity_per_day) * 100)}%` : '—';
          const toggle = canEdit
            ? h('button', { 'data-test': `toggle-${l.code}`, onclick: () => setActive(l, !l.active, reload) }, l.active ? 'Deactivate' : 'Activate')
            : null;
          return h(
            'tr',
            { 'data-location': l.code },
            h('td', {}, l.code),
            h('td', {}, l.name),
            h('td', {}, l.kind),
            h('td', {}, (l.capabilities || []).join(', ')),
            h('td', { class: 'num' }, number(today)),
            h('td', { class: 'num' }, number(l.capacity_per_day)),
            h('td', { class: 'num' }, load),
            h('td', { 'data-test': 'active' }, l.active ? 'yes' : 'no'),
            h('td', {}, toggle),
          );
        }),
      ),
    ),
  );
}

async function setActive(location, active, reload) {
  try {
    await api('PATCH', `/v1/locations/${encodeURIComponent(location.code)}`, { active }, { ifMatch: location.version });
    reload();
  } catch (e) {
    alertLine(e.message);
  }
}

function alertLine(text) {
  const p = document.querySelector('[data-test=locations-error]') || h('p', { class: 'error', 'data-test': 'locations-error', role: 'alert' });
  p.textContent = text;
  document.querySelector('main.page').prepend(p);
}
