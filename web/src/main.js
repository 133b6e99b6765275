// main.js — the console's shell: who is signed in, the navigation, and a router over the URL
// hash (#/orders, #/orders/ID) so the server only ever serves one page. /track is the
// customers' page and needs no sign-in.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, get, setCsrf, whenSignedOut } from './api.js';
import { clear, h } from './dom.js';
import { renderSignIn } from './pages/signin.js';
import { renderOverview } from './pages/overview.js';
import { renderOrders } from './pages/orders.js';
import { renderOrder } from './pages/order.js';
import { renderTrack } from './pages/track.js';
import { renderPick } from './pages/pick.js';
import { renderLocations } from './pages/locations.js';
import { renderInventory } from './pages/inventory.js';
import { renderUsers } from './pages/users.js';

const root = document.getElementById('app');
const state = { session: null };
let renderToken = 0;

function can(permission) {
  return !!state.session && state.session.permissions.includes(permission);
}

function nav(active) {
  const link = (href, label, key) =>
    h('a', { href, class: active === key ? 'active' : null }, label);
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/' }, 'Ordo'),
    h(
      'nav',
      {},
      can('metrics.read') ? link('#/', 'Overview', 'overview') : null,
      can('orders.read') ? link('#/orders', 'Orders', 'orders') : null,
      can('inventory.read') ? link('#/inventory', 'Inventory', 'inventory') : null,
      can('catalog.read') ? link('#/locations', 'Locations', 'locations') : null,
      can('fulfillment') ? link('#/pick', 'Pick & pack', 'pick') : null,
      can('admin') ? link('#/users', 'Users', 'users') : null,
    ),
    h(
      'div',
      { class: 'who' },
      h('span', { class: 'email', 'data-test': 'who' }, state.session.email),
      h('span', { class: 'role' }, state.session.role),
      h('button', { class: 'link', onclick: signOut, 'data-test': 'sign-out' }, 'Sign out'),
    ),
  );
}

async function signOut() {
  try {
    await api('DELETE', '/v1/session');
  } catch {
    // Already gone: the page goes back to the sign-in form either way.
  }
  state.session = null;
  setCsrf(null);
  location.hash = '#/signin';
  route();
}

function signedIn(session) {
  state.session = session;
  setCsrf(session.csrf_token);
  if (location.hash === '' || location.hash.startsWith('#/signin')) location.hash = '#/';
  route();
}

async function route() {
  const token = ++renderToken;
  if (location.pathname.replace(/\/$/, '') === '/track') {
    renderTrack(clear(root));
    return;
  }
  if (!state.session) {
    let session = null;
    try {
      session = await get('/v1/session');
    } catch {
      session = null;
    }
    if (token !== renderToken) return;
    if (!session || !session.signed_in) {
      renderSignIn(clear(root), signedIn);
      return;
    }
    state.session = session;
    setCsrf(session.csrf_token);
  }
  if (token !== renderToken) return;
  const hash = location.hash.replace(/^#/, '') || '/';
  const ctx = { session: state.session, can, isCurrent: () => token === renderToken };
  let page = 'overview';
  let render = (main) => renderOverview(main, ctx);
  const order = hash.match(/^\/orders\/([^/?]+)/);
  if (order) {
    page = 'orders';
    render = (main) => renderOrder(main, ctx, decodeURIComponent(order[1]));
  } else if (hash.startsWith('/orders')) {
    page = 'orders';
    render = (main) => renderOrders(main, ctx, hash);
  } else if (hash.startsWith('/locations')) {
    page = 'locations';
    render = (main) => renderLocations(main, ctx);
  } else if (hash.startsWith('/users') && can('admin')) {
    page = 'users';
    render = (main) => renderUsers(main, ctx);
  } else if (hash.startsWith('/inventory')) {
    page = 'inventory';
    render = (main) => renderInventory(main, ctx);
  } else if (hash.startsWith('/pick') || (!can('metrics.read') && !can('orders.read') && can('fulfillment'))) {
    page = 'pick';
    render = (main) => renderPick(main, ctx);
  } else if (!can('metrics.read') && can('orders.read')) {
    page = 'orders';
    render = (main) => renderOrders(main, ctx, '/orders');
  }
  const main = h('main', { class: 'page', 'data-page': page });
  clear(root).append(nav(page), main);
  render(main);
}

whenSignedOut(() => {
  state.session = null;
  setCsrf(null);
  route();
});
window.addEventListener('hashchange', route);
route();
