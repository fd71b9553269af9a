// Typing indicators: mine sent (at most every 3 s, stopped after 5 s of quiet), others' shown until
// they expire.
import { $ } from './dom.js';
import { isConnected } from './realtime.js';
import { state } from './state.js';

function signal(method, isTyping) {
  const id = state.current;
  if (!id) return;
  if (isConnected()) {
    state.connection.invoke(method, { conversationId: id }).catch(() => {});
  } else {
    state.api?.typing(id, isTyping).catch(() => {});
  }
}

export function startTyping() {
  const now = Date.now();
  if (now - state.typingSentAt > 3000) {
    state.typingSentAt = now;
    signal('typing.start', true);
  }
  clearTimeout(state.typingStopTimer);
  state.typingStopTimer = setTimeout(stopTyping, 5000);
}

export function stopTyping() {
  clearTimeout(state.typingStopTimer);
  if (state.typingSentAt) {
    state.typingSentAt = 0;
    signal('typing.stop', false);
  }
}

/** A `typing.indicator` event of another user. */
export function applyTyping({ conversationId, userId, isTyping, expiresAt }) {
  if (userId === state.me) return;
  let users = state.typing.get(conversationId);
  if (!users) state.typing.set(conversationId, users = new Map());
  clearTimeout(users.get(userId));
  if (isTyping) {
    const ms = Math.min(Math.max(new Date(expiresAt).getTime() - Date.now(), 1000), 12000);
    users.set(userId, setTimeout(() => clearTyping(conversationId, userId), ms));
  } else {
    users.delete(userId);
  }
  if (conversationId === state.current) renderTyping();
}

export function clearTyping(conversationId, userId) {
  const users = state.typing.get(conversationId);
  if (!users?.has(userId)) return;
  clearTimeout(users.get(userId));
  users.delete(userId);
  if (conversationId === state.current) renderTyping();
}

export function renderTyping() {
  const users = [...(state.typing.get(state.current)?.keys() ?? [])];
  $('typing').textContent = users.length === 0 ? ''
    : users.length === 1 ? `${users[0]} is typing…`
      : `${users.slice(0, -1).join(', ')} and ${users.at(-1)} are typing…`;
}
