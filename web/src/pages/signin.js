// signin.js — the sign-in form: POST /v1/session. A wrong password and a lock-out (429 with
// Retry-After) are shown as the API words them.
import { api } from '../api.js';
import { h } from '../dom.js';

export function renderSignIn(root, done) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, id: 'email' });
  const password = h('input', {
    type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'password',
  });
  const message = h('p', { class: 'error', role: 'alert', 'data-test': 'signin-error', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'signin', 'data-page': 'signin' },
    h('h1', {}, 'Ordo'),
    h('label', { for: 'email' }, 'E-mail'),
    email,
    h('label', { for: 'password' }, 'Password'),
    password,
    message,
    button,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    try {
      const session = await api('POST', '/v1/session', { email: email.value, password: password.value }, { quiet401: true });
      done(session);
    } catch (e) {
      let text = e.message;
      if (e.status === 401) text = 'Wrong e-mail or password.';
      if (e.status === 429) {
        const minutes = Math.max(1, Math.ceil(Number(e.retryAfter || 60) / 60));
        text = `Too many failed sign-ins for this e-mail. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
      }
      message.textContent = text;
      message.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
  root.append(h('div', { class: 'signin-wrap' }, form));
  email.focus();
}
