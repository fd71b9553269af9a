// Mentions: the @-picker in the composer among the conversation's participants, the user ids a
// message sends as `mentions`, and the mentioned names drawn out in a message's text.
import { $, h } from './dom.js';
import { reportError } from './session.js';
import { state } from './state.js';

const maxOptions = 8;
const escapeRegExp = text => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// What may follow a mention: the end, a space or punctuation.
const mentionEnd = '(?=$|[\\s.,:;!?)])';

/** Everyone of the conversation this window knows of, but me (a large group is fetched whole on first use). */
function participantsOf(conversationId) {
  const conversation = state.conversations.get(conversationId);
  if (!conversation) return [];
  const more = state.mentionables?.id === conversationId ? state.mentionables.ids : [];
  const paged = state.members?.id === conversationId ? state.members.items.map(p => p.userId) : [];
  const ids = new Set([...conversation.participants.map(p => p.userId), ...paged, ...more]);
  ids.delete(state.me);
  return [...ids];
}

async function loadAllParticipants(conversationId) {
  state.mentionables = { id: conversationId, ids: [] };
  try {
    const all = await state.api.all(`/api/messaging/conversations/${encodeURIComponent(conversationId)}/participants/?limit=500`, 10);
    if (state.mentionables?.id === conversationId) state.mentionables.ids = all.map(p => p.userId);
    if (state.mentionPicker) updateMentionPicker();
  } catch (error) {
    state.mentionables = null;
    reportError(error);
  }
}

/** After every change of the composer: an "@word" just before the caret opens the picker. */
export function updateMentionPicker() {
  const composer = $('composer-text');
  const upto = composer.value.slice(0, composer.selectionStart);
  const match = state.current && composer.selectionStart === composer.selectionEnd ? /(?:^|\s)@([^\s@]*)$/.exec(upto) : null;
  if (!match) return closeMentionPicker();
  const conversation = state.conversations.get(state.current);
  if ((conversation?.participantCount ?? 0) > conversation?.participants.length && state.mentionables?.id !== state.current) {
    loadAllParticipants(state.current);
  }
  const query = match[1].toLowerCase();
  const options = participantsOf(state.current)
    .filter(id => id.toLowerCase().includes(query))
    .sort((a, b) => Number(!a.toLowerCase().startsWith(query)) - Number(!b.toLowerCase().startsWith(query)) || a.localeCompare(b))
    .slice(0, maxOptions);
  state.mentionPicker = { start: upto.length - match[1].length - 1, end: upto.length, options, active: 0 };
  renderMentionPicker();
}

export function closeMentionPicker() {
  state.mentionPicker = null;
  renderMentionPicker();
}

function renderMentionPicker() {
  const picker = state.mentionPicker;
  const list = $('mention-picker');
  const composer = $('composer-text');
  const open = !!picker?.options.length;
  list.hidden = !open;
  composer.setAttribute('aria-expanded', String(open));
  list.replaceChildren(...(open ? picker.options.map((userId, i) => h('li', {
    id: `mention-option-${i}`,
    role: 'option',
    'aria-selected': String(i === picker.active),
    'data-user-id': userId,
    text: `@${userId}`,
    // mousedown, not click: the composer keeps its focus and caret.
    onmousedown: event => { event.preventDefault(); choose(userId); },
  })) : []));
  if (open) composer.setAttribute('aria-activedescendant', `mention-option-${picker.active}`);
  else composer.removeAttribute('aria-activedescendant');
}

/** Inserts "@userId " for the typed "@word" and notes the user id for `mentions`. */
function choose(userId) {
  const composer = $('composer-text');
  const { start, end } = state.mentionPicker;
  const inserted = `@${userId} `;
  composer.value = composer.value.slice(0, start) + inserted + composer.value.slice(end);
  composer.setSelectionRange(start + inserted.length, start + inserted.length);
  state.composerMentions.add(userId);
  closeMentionPicker();
  composer.focus();
}

/** The composer's keys while the picker is open: arrows move, Enter or Tab choose, Escape closes. Returns whether it used the key. */
export function mentionKey(event) {
  const picker = state.mentionPicker;
  if (!picker?.options.length || event.isComposing) return false;
  const count = picker.options.length;
  if (event.key === 'ArrowDown') picker.active = (picker.active + 1) % count;
  else if (event.key === 'ArrowUp') picker.active = (picker.active + count - 1) % count;
  else if (event.key === 'Enter' || event.key === 'Tab') choose(picker.options[picker.active]);
  else if (event.key === 'Escape') closeMentionPicker();
  else return false;
  event.preventDefault();
  if (state.mentionPicker) renderMentionPicker();
  return true;
}

/** The user ids a text mentions: picked ones and participants typed as "@id", while the text still names them (50 at most). */
export function mentionsIn(text, conversationId) {
  const candidates = new Set([...state.composerMentions, ...participantsOf(conversationId)]);
  return [...candidates].filter(id => new RegExp(`(?:^|\\s)@${escapeRegExp(id)}${mentionEnd}`).test(text)).slice(0, 50);
}

/** A message's text with its mentions as highlighted spans (text nodes only, never HTML). */
export function textWithMentions(text, mentions) {
  if (!mentions?.length) return [text];
  const names = [...mentions].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  const pattern = new RegExp(`(^|\\s)@(${names})${mentionEnd}`, 'g');
  const nodes = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index + match[1].length;
    nodes.push(text.slice(at, start));
    nodes.push(h('span', { class: match[2] === state.me ? 'mention me' : 'mention', text: `@${match[2]}` }));
    at = start + match[2].length + 1;
  }
  nodes.push(text.slice(at));
  return nodes.filter(node => node !== '');
}

export function bindMentions() {
  const composer = $('composer-text');
  composer.setAttribute('aria-autocomplete', 'list');
  composer.setAttribute('aria-controls', 'mention-picker');
  composer.addEventListener('input', updateMentionPicker);
  composer.addEventListener('click', updateMentionPicker);
  composer.addEventListener('blur', closeMentionPicker);
}
