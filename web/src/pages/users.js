// users.js — people who sign in, for admins (GET /v1/users, POST /v1/users, PATCH
// /v1/users/{id}): each user's role and scope can be changed, a user disabled (they cannot
// sign in and their sessions end) or enabled again, a new password set, and a user added.
// The server refuses what it must (yourself, the last admin, a scope that does not exist).
import { api, get, post, query } from '../api.js';
import { clear, h } from '../dom.js';
import { dateTime } from '../format.js';

const ROLES = ['admin', 'operator', 'warehouse', 'support', 'channel', 'analyst', 'customer'];
const SCOPED = { warehouse: 'location code', channel: 'channel code', customer: 'customer e-mail' };

export function renderUsers(main, ctx) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  main.append(h('div', { class: 'page-head' }, h('h1', {}, 'Users')), body);
  load(body, ctx);
}

async function load(body, ctx) {
  try {
    const users = [];
    let cursor = null;
    for (let page = 0; page < 20; page++) {
      const res = await get(`/v1/users${query({ limit: 500, cursor })}`);
      users.push(...(res.data || []));
      if (!res.next_cursor) break;
      cursor = res.next_cursor;
    }
    if (!ctx.isCurrent()) return;
    const reload = () => load(body, ctx);
    clear(body).append(table(users, ctx, reload), addForm(reload));
  } catch (e) {
    clear(body).append(h('p', { class: 'error' }, `Cannot load the users: ${e.message}`));
  }
}

function roleSelect(value, label) {
  return h('select', { 'aria-label': label, 'data-test': 'user-role' }, ROLES.map((r) => h('option', { value: r, selected: r === value }, r)));
}

function table(users, ctx, reload) {
  return h(
    'section',
    { class: 'card' },
    h(
      'table',
      { 'data-test': 'users-table' },
      h('thead', {}, h('tr', {}, ['E-mail', 'Role', 'Scope', 'State', 'Created', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, users.map((u) => row(u, ctx, reload))),
    ),
  );
}

function row(u, ctx, reload) {
  const error = h('span', { class: 'error', role: 'alert', 'data-test': 'user-error' });
  const role = roleSelect(u.role, `Role of ${u.email}`);
  const scope = h('input', { value: u.scope || '', placeholder: SCOPED[u.role] || 'no scope', size: 16, 'aria-label': `Scope of ${u.email}`, 'data-test': 'user-scope' });
  role.addEventListener('change', () => {
    scope.placeholder = SCOPED[role.value] || 'no scope';
    if (!SCOPED[role.value]) scope.value = '';
  });
  const password = h('input', { type: 'password', placeholder: 'new password', autocomplete: 'new-password', size: 14, 'aria-label': `New password of ${u.email}`, 'data-test': 'user-password' });
  const change = async (patch) => {
    error.textContent = '';
    try {
      await api('PATCH', `/v1/users/${encodeURIComponent(u.id)}`, patch);
      reload();
    } catch (e) {
      error.textContent = e.field ? `${e.field}: ${e.message}` : e.message;
    }
  };
  const self = u.id === ctx.session.user_id;
  return h(
    'tr',
    { 'data-user': u.email, class: u.disabled ? 'disabled' : null },
    h('td', {}, u.email, self ? h('span', { class: 'muted small' }, ' (you)') : null),
    h('td', {}, role),
    h('td', {}, scope),
    h('td', {}, h('span', { class: `status ${u.disabled ? 's-cancelled' : 's-delivered'}`, 'data-test': 'user-state' }, u.disabled ? 'disabled' : 'active')),
    h('td', {}, dateTime(u.created_at)),
    h(
      'td',
      {},
      h(
        'div',
        { class: 'actions' },
        h('button', { 'data-test': 'user-save-role', onclick: () => change({ role: role.value, ...(scope.value.trim() ? { scope: scope.value.trim() } : {}) }) }, 'Save role'),
      u.disabled
        ? h('button', { 'data-test': 'user-enable', onclick: () => change({ disabled: false }) }, 'Enable')
        : h('button', { class: 'danger-outline', 'data-test': 'user-disable', disabled: self, onclick: () => change({ disabled: true }) }, 'Disable'),
      password,
        h('button', { 'data-test': 'user-set-password', onclick: () => change({ password: password.value }) }, 'Set password'),
        error,
      ),
    ),
  );
}

function addForm(reload) {
  const error = h('p', { class: 'error', role: 'alert', hidden: true, 'data-test': 'add-user-error' });
  const email = h('input', { type: 'email', placeholder: 'name@example.com', 'aria-label': 'E-mail', 'data-test': 'new-user-email' });
  const role = roleSelect('operator', 'Role');
  const scope = h('input', { placeholder: 'scope (warehouse, channel, customer)', 'aria-label': 'Scope', 'data-test': 'new-user-scope' });
  const password = h('input', { type: 'password', placeholder: 'password (10+ characters)', autocomplete: 'new-password', 'aria-label': 'Password', 'data-test': 'new-user-password' });
  const add = async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await post('/v1/users', { email: email.value.trim(), password: password.value, role: role.value, ...(scope.value.trim() ? { scope: scope.value.trim() } : {}) });
      reload();
    } catch (e) {
      error.textContent = e.field ? `${e.field}: ${e.message}` : e.message;
      error.hidden = false;
    }
  };
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, 'Add a user'),
    h('form', { class: 'actions', onsubmit: add, 'data-test': 'add-user' }, email, role, scope, password, h('button', { type: 'submit', class: 'primary' }, 'Add user')),
    error,
  );
}
