// Presence: a dot on the people of the open conversation (details panel, direct conversation
// header), from GET presence once per connection and `presence.changed` events after that.
import { renderChatHeader } from './details.js';
import { h } from './dom.js';
import { reportError } from './session.js';
import { state } from './state.js';

/** The dot of a user whose presence is known; nothing for me or for someone not (yet) known. */
export function presenceDot(userId) {
  const known = userId !== state.me && state.presence.get(userId);
  if (!known) return null;
  const online = known.status === 'online';
  const seen = known.lastSeenAt ? `, last seen ${new Date(known.lastSeenAt).toLocaleString()}` : '';
  const label = online ? `${userId} is online` : `${userId} is offline${seen}`;
  return h('span', { class: `presence ${online ? 'online' : 'offline'}`, 'data-status': known.status, role: 'img', 'aria-label': label, title: label });
}

/** Asks the server for the presence of users not asked about on this connection (100 per request). */
export async function askPresence(userIds) {
  const wanted = [...new Set(userIds)].filter(id => id !== state.me && !state.presenceAsked.has(id));
  if (!wanted.length || !state.api) return;
  wanted.forEach(id => state.presenceAsked.add(id));
  const askedAt = Date.now();
  try {
    for (let i = 0; i < wanted.length; i += 100) {
      const { value } = await state.api.presence(wanted.slice(i, i + 100));
      // An event that came while the request ran is newer than its answer.
      for (const p of value) {
        if (!(state.presence.get(p.userId)?.at > askedAt)) state.presence.set(p.userId, { status: p.status, lastSeenAt: p.lastSeenAt, at: askedAt });
      }
    }
  } catch (error) {
    wanted.forEach(id => state.presenceAsked.delete(id));
    reportError(error);
    return;
  }
  if (state.current) renderChatHeader();
}

/** A `presence.changed` event. */
export function applyPresence({ userId, status, lastSeenAt }) {
  state.presence.set(userId, { status, lastSeenAt, at: Date.now() });
  state.presenceAsked.add(userId);
  if (state.current) renderChatHeader();
}

/** After a reconnect, events may have been missed: ask again. */
export function forgetPresence() {
  state.presenceAsked.clear();
}
