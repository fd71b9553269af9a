// Reactions: each message's reactions with their counts (mine highlighted), a picker of common
// emoji behind a "react" button, a click on a reaction toggles mine, and the reaction events.
import { h } from './dom.js';
import { renderThread } from './messages.js';
import { reportError } from './session.js';
import { state } from './state.js';
import { applyMessage } from './thread.js';

export const commonReactions = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];

/** The reactions row of a message: a toggle per reaction, then the react button and its picker. */
export function reactionBar(message) {
  if (message.deletedAt) return null;
  const mine = new Set(message.myReactions ?? []);
  const picking = state.reactingTo === message.id;
  return h('div', { class: 'reactions' },
    (message.reactions ?? []).map(({ reaction, count }) => h('button', {
      type: 'button',
      class: mine.has(reaction) ? 'reaction mine' : 'reaction',
      'aria-pressed': String(mine.has(reaction)),
      'aria-label': `${reaction} ${count}${mine.has(reaction) ? ', yours: remove it' : ''}`,
      'data-reaction': reaction,
      onclick: () => react(message, reaction, !mine.has(reaction)),
    }, h('span', { class: 'reaction-emoji', text: reaction }), h('span', { class: 'reaction-count', text: String(count) }))),
    h('button', {
      type: 'button',
      class: 'reaction add-reaction',
      'aria-label': 'Add reaction',
      'aria-expanded': String(picking),
      text: '☺+',
      onclick: () => togglePicker(message.id),
    }),
    picking ? h('div', { class: 'reaction-picker', role: 'group', 'aria-label': 'Pick a reaction' },
      commonReactions.map(reaction => h('button', {
        type: 'button',
        class: 'reaction-choice',
        'aria-label': `React with ${reaction}`,
        text: reaction,
        onclick: () => react(message, reaction, !mine.has(reaction)),
      }))) : null);
}

function togglePicker(messageId) {
  state.reactingTo = state.reactingTo === messageId ? null : messageId;
  renderThread();
  if (state.reactingTo) document.querySelector('.reaction-picker button')?.focus();
}

export function closePicker() {
  if (!state.reactingTo) return;
  state.reactingTo = null;
  renderThread();
}

async function react(message, reaction, add) {
  state.reactingTo = null;
  try {
    const updated = add ? await state.api.react(message.id, reaction) : await state.api.unreact(message.id, reaction);
    applyMessage(updated, false);
  } catch (error) {
    renderThread();
    reportError(error, 'composer-error');
  }
}

/** A `reaction.added` or `reaction.removed` event: the count after the change, and mine when I gave it (any tab). */
export function applyReaction({ conversationId, messageId, userId, reaction, count }, added) {
  const thread = state.threads.get(conversationId);
  const message = thread?.messages.get(messageId);
  if (!message || message.deletedAt) return;
  const reactions = (message.reactions ?? []).filter(r => r.reaction !== reaction);
  const at = (message.reactions ?? []).findIndex(r => r.reaction === reaction);
  if (count > 0) reactions.splice(at < 0 ? reactions.length : at, 0, { reaction, count });
  reactions.sort((a, b) => b.count - a.count);
  let myReactions = message.myReactions ?? [];
  if (userId === state.me) {
    myReactions = myReactions.filter(r => r !== reaction);
    if (added) myReactions.push(reaction);
  }
  thread.messages.set(messageId, { ...message, reactions, myReactions });
  if (conversationId === state.current) renderThread();
}

/** Escape or a click elsewhere closes the picker. */
export function bindReactions() {
  document.addEventListener('keydown', event => {
    if (event.key === 'Escape' && state.reactingTo) closePicker();
  });
  document.addEventListener('click', event => {
    if (state.reactingTo && !event.target.closest?.('.reactions')) closePicker();
  });
}
