// The conversation list: loading it, keeping it current from events, drawing it, starting a new one.
import { renderChatHeader } from './details.js';
import { $, h } from './dom.js';
import { preview, shortTime, titleOf } from './format.js';
import { renderThread } from './messages.js';
import { reportError } from './session.js';
import { state } from './state.js';
import { closeChat, openConversation } from './thread.js';

export async function loadConversations() {
  // The conversations carry unread counts; mention counts come from unread_count.
  const [list, counts] = await Promise.all([state.api.conversations(), state.api.unreadCounts().catch(() => null)]);
  const mentions = new Map((counts?.conversations ?? []).map(c => [c.conversationId, c.mentionCount ?? 0]));
  const seen = new Set();
  for (const conversation of list) {
    seen.add(conversation.id);
    conversation.mentionCount = mentions.get(conversation.id) ?? 0;
    state.conversations.set(conversation.id, conversation);
  }
  for (const id of [...state.conversations.keys()]) {
    if (!seen.has(id)) removeConversation(id);
  }
  renderConversations();
  if (state.current) renderChatHeader();
}

export function upsertConversation(conversation, created) {
  const known = state.conversations.get(conversation.id);
  if (known && !created) {
    // The event's unread count and last message may be older than what this client already knows.
    conversation.unreadCount = known.unreadCount;
    conversation.mentionCount = known.mentionCount;
    if (known.lastMessage && (!conversation.lastMessage || known.lastMessage.sequence > conversation.lastMessage.sequence)) {
      conversation.lastMessage = known.lastMessage;
    }
  }
  state.conversations.set(conversation.id, conversation);
  renderConversations();
  if (conversation.id === state.current) {
    renderChatHeader();
    renderThread();
  }
}

export function removeConversation(id) {
  state.conversations.delete(id);
  state.threads.delete(id);
  if (state.current === id) {
    closeChat();
    $('placeholder').firstElementChild.textContent = 'That conversation was deleted or you were removed from it.';
  }
  renderConversations();
}

export function renderConversations() {
  const list = $('conversation-list');
  const focusedId = document.activeElement?.closest?.('#conversation-list li')?.dataset.id;
  const sorted = [...state.conversations.values()].sort((a, b) =>
    (b.lastMessage?.createdAt ?? b.updatedAt).localeCompare(a.lastMessage?.createdAt ?? a.updatedAt));
  list.replaceChildren(...sorted.map(conversationItem));
  $('no-conversations').hidden = sorted.length > 0;
  if (focusedId) list.querySelector(`li[data-id="${CSS.escape(focusedId)}"] button`)?.focus();
}

function conversationItem(conversation) {
  const unread = conversation.unreadCount || 0;
  const mentions = unread ? conversation.mentionCount || 0 : 0;
  const title = titleOf(conversation);
  const lastActive = conversation.lastMessage?.createdAt ?? conversation.updatedAt;
  const button = h('button', {
    type: 'button',
    class: 'conversation',
    'aria-current': conversation.id === state.current ? 'true' : undefined,
    'aria-label': `${title}${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mentioning you` : ''}`,
    onclick: () => openConversation(conversation.id),
  },
  h('span', { class: 'conversation-top' },
    h('span', { class: 'conversation-title', text: title }),
    h('span', { class: 'kind', text: conversation.type }),
    h('time', { class: 'conversation-time', datetime: lastActive, text: shortTime(lastActive) })),
  h('span', { class: 'conversation-bottom' },
    h('span', { class: 'last-message', text: preview(conversation.lastMessage) }),
    mentions ? h('span', { class: 'mention-badge', 'aria-hidden': 'true', title: `${mentions} mentioning you`, text: '@' }) : null,
    unread ? h('span', { class: 'badge', 'aria-hidden': 'true', text: unread > 99 ? '99+' : String(unread) }) : null));
  return h('li', { 'data-id': conversation.id }, button);
}

/** The "New conversation" form: direct, group or task. */
export function bindNewConversation() {
  const form = $('new-form');
  const sync = () => {
    const kind = form.elements.kind.value;
    for (const block of form.querySelectorAll('[data-for]')) {
      block.hidden = !block.dataset.for.split(' ').includes(kind);
    }
    $('new-user').required = kind === 'direct';
    $('new-task').required = kind === 'task';
  };
  form.addEventListener('change', sync);
  sync();

  form.addEventListener('submit', async event => {
    event.preventDefault();
    $('new-error').textContent = '';
    const kind = form.elements.kind.value;
    const ids = $('new-participants').value.split(/[,\s]+/).map(s => s.trim()).filter(Boolean);
    try {
      const conversation = kind === 'direct' ? await state.api.startDirect($('new-user').value.trim())
        : kind === 'group' ? await state.api.startGroup($('new-title').value.trim(), ids)
          : await state.api.startTask($('new-task').value.trim(), $('new-title').value.trim(), ids);
      state.conversations.set(conversation.id, { ...state.conversations.get(conversation.id), ...conversation });
      form.reset();
      sync();
      $('new-conversation').open = false;
      renderConversations();
      openConversation(conversation.id);
    } catch (error) {
      reportError(error, 'new-error');
    }
  });
}
