// Sign-in and sign-out: where the API is, which token this window uses, and what happens when the
// server stops accepting it.
import { Api, ApiError, claimsOf } from './api.js';
import { $, h } from './dom.js';
import { forgetUser, state, storageKey } from './state.js';
import { showConnectionState } from './status.js';

const recentUsersKey = 'messaging.recentUsers';
const hooks = { signedIn() {}, async signingOut() {}, signedOut() {} };

/**
 * What the app does around a session: start it once signed in, wind it down before the user's data
 * is forgotten, and tidy the screen after.
 */
export function onSession({ signedIn, signingOut, signedOut }) {
  Object.assign(hooks, { signedIn, signingOut, signedOut });
}

/** The API base URL: `?api=` beats `config.json`'s `apiBaseUrl`; empty means this page's origin. */
async function resolveBase() {
  const query = new URLSearchParams(location.search).get('api');
  if (query) return query.replace(/\/+$/, '');
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = await response.json();
      if (typeof config.apiBaseUrl === 'string') return config.apiBaseUrl.replace(/\/+$/, '');
    }
  } catch { /* no config: same origin */ }
  return '';
}

async function devSignInAvailable() {
  try {
    const response = await fetch(`${state.base}/dev/token`, { cache: 'no-store' });
    return response.status === 204;
  } catch {
    return false;
  }
}

/** At start: the token this window signed in with, while it lasts; else the sign-in page. */
export async function resumeSession() {
  state.base = await resolveBase();
  const saved = sessionStorage.getItem(storageKey());
  if (saved && claimsOf(saved)?.sub && (claimsOf(saved).exp ?? Infinity) * 1000 > Date.now()) signIn(saved);
  else showSignIn();
}

export async function showSignIn(message = '') {
  $('app').hidden = true;
  $('me').hidden = true;
  $('signin').hidden = false;
  showConnectionState('signed-out');
  $('signin-error').textContent = message;
  const recent = JSON.parse(localStorage.getItem(recentUsersKey) || '[]');
  $('known-users').replaceChildren(...recent.map(user => h('option', { value: user })));
  const dev = await devSignInAvailable();
  $('dev-signin').hidden = !dev;
  $('token-hint').textContent = dev
    ? 'Or paste a bearer token (JWT) issued for this service.'
    : 'Paste a bearer token (JWT) issued for this service. (Sign-in by name is only offered by a development server.)';
  (dev ? $('signin-user') : $('signin-token')).focus();
}

export function bindSignIn() {
  $('dev-signin').addEventListener('submit', async event => {
    event.preventDefault();
    const userId = $('signin-user').value.trim();
    const name = $('signin-name').value.trim();
    try {
      const response = await fetch(`${state.base}/dev/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId, name: name || undefined }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new ApiError(response.status, body);
      const recent = JSON.parse(localStorage.getItem(recentUsersKey) || '[]').filter(u => u !== userId);
      localStorage.setItem(recentUsersKey, JSON.stringify([userId, ...recent].slice(0, 10)));
      signIn(body.token);
    } catch (error) {
      $('signin-error').textContent = `Sign-in failed: ${error.message}`;
    }
  });

  $('token-signin').addEventListener('submit', event => {
    event.preventDefault();
    const token = $('signin-token').value.trim();
    if (!claimsOf(token)?.sub) {
      $('signin-error').textContent = 'That is not a JWT with a "sub" claim.';
      return;
    }
    signIn(token);
  });

  $('sign-out').addEventListener('click', () => signOut());
}

function signIn(token) {
  const claims = claimsOf(token);
  state.token = token;
  state.me = claims.sub;
  state.name = claims.name || claims.sub;
  state.api = new Api(state.base, token);
  state.signingOut = false;
  // Per window (sessionStorage): two windows of one browser can be two users.
  sessionStorage.setItem(storageKey(), token);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('me').hidden = false;
  $('me-name').textContent = state.name === state.me ? state.me : `${state.name} (${state.me})`;
  hooks.signedIn();
}

export async function signOut(message = '') {
  state.signingOut = true;
  sessionStorage.removeItem(storageKey());
  await hooks.signingOut();
  forgetUser();
  $('conversation-list').replaceChildren();
  $('messages').replaceChildren();
  hooks.signedOut();
  showSignIn(message);
}

export function reportError(error, target = null) {
  if (error instanceof ApiError && error.status === 401 && state.token) {
    signOut('Your session has expired or the token is not accepted. Sign in again.');
    return;
  }
  console.warn(error);
  if (target) $(target).textContent = error.message;
}
