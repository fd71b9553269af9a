// Replies: answering one message (the composer quotes it), the quote on a sent reply, a message's
// reply count, and the panel that lists its replies (GET …/replies/, kept current from events).
import { $, h } from './dom.js';
import { renderThread } from './messages.js';
import { reportError } from './session.js';
import { state } from './state.js';

const cut = text => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

export function startReply(message) {
  state.replyingTo = { id: message.id, senderId: message.senderId, text: cut(message.text), deletedAt: null };
  renderReplyBar();
  $('composer-text').focus();
}

export function cancelReply() {
  state.replyingTo = null;
  renderReplyBar();
}

/** Above the composer: the message being answered, with a way to drop it. */
export function renderReplyBar() {
  const target = state.replyingTo;
  const bar = $('reply-bar');
  bar.hidden = !target;
  bar.replaceChildren(...(target ? [
    quote(target, 'Replying to'),
    h('button', {
      type: 'button',
      class: 'small',
      'aria-label': 'Cancel reply',
      text: '✕',
      onclick: () => { cancelReply(); $('composer-text').focus(); },
    })] : []));
}

/** The quoted message: who wrote it and its text, or that it was deleted. */
export function quote(replyTo, lead = null) {
  const deleted = !!replyTo.deletedAt;
  const who = replyTo.senderId === state.me ? 'you' : replyTo.senderId;
  return h('blockquote', { class: deleted ? 'quote deleted' : 'quote', 'data-reply-to': replyTo.id },
    h('span', { class: 'quote-sender', text: lead ? `${lead} ${who}` : who }),
    h('span', { class: 'quote-text', text: deleted ? 'Message deleted' : cut(replyTo.text) || 'Attachment' }));
}

/** On a reply in the list: its quote; a click shows the original when it is loaded. */
export function quoteOnMessage(replyTo) {
  const node = quote(replyTo);
  node.tabIndex = 0;
  node.title = 'Show the original message';
  const show = () => {
    const original = $('messages').querySelector(`li[data-id="${CSS.escape(replyTo.id)}"]`);
    if (!original) return;
    original.scrollIntoView({ block: 'center' });
    original.classList.add('flash');
    setTimeout(() => original.classList.remove('flash'), 1200);
  };
  node.addEventListener('click', show);
  node.addEventListener('keydown', event => { if (event.key === 'Enter') show(); });
  return node;
}

export function replyCountButton(message) {
  const count = message.replyCount ?? 0;
  if (!count) return null;
  return h('button', {
    type: 'button',
    class: 'link reply-count',
    'aria-expanded': String(state.replies?.message.id === message.id),
    'aria-controls': 'replies',
    text: count === 1 ? '1 reply' : `${count} replies`,
    onclick: () => openReplies(message),
  });
}

export async function openReplies(message) {
  state.replies = { conversationId: message.conversationId, message, items: new Map(), next: null, loading: true };
  $('replies-error').textContent = '';
  renderReplies();
  renderThread();
  await loadReplies();
  $('replies-title').focus();
}

export function closeReplies() {
  const open = state.replies;
  state.replies = null;
  renderReplies();
  if (open) renderThread();
}

async function loadReplies() {
  const panel = state.replies;
  if (!panel) return;
  panel.loading = true;
  try {
    const page = await state.api.replies(panel.message.id, panel.next);
    for (const reply of page.value) panel.items.set(reply.id, reply);
    panel.next = page.nextLink;
  } catch (error) {
    reportError(error, 'replies-error');
  } finally {
    panel.loading = false;
    if (state.replies === panel) renderReplies();
  }
}

export function renderReplies() {
  const panel = state.replies;
  const section = $('replies');
  section.hidden = !panel || panel.conversationId !== state.current;
  if (section.hidden) return;
  const parent = state.threads.get(panel.conversationId)?.messages.get(panel.message.id) ?? panel.message;
  $('replies-quote').replaceChildren(quote(parent));
  const replies = [...panel.items.values()].filter(m => !m.deletedAt).sort((a, b) => a.sequence - b.sequence);
  $('replies-list').replaceChildren(...replies.map(reply => h('li', { class: 'reply', 'data-id': reply.id },
    h('span', { class: 'sender', text: reply.senderId === state.me ? 'You' : reply.senderId }),
    h('span', { class: 'text', text: reply.text || 'Attachment' }))));
  $('replies-empty').hidden = replies.length > 0 || panel.loading;
  $('replies-more').hidden = !panel.next;
  $('replies-answer').hidden = !!parent.deletedAt;
}

/**
 * A message stored from an event (`known` is the copy before it): a new reply counts on its parent,
 * a deleted one no longer does; quotes follow their original's edit or deletion; the panel follows.
 */
export function noteReply(thread, message, known, live) {
  const parent = message.replyTo && thread.messages.get(message.replyTo.id);
  const delta = live && !known ? 1 : known && !known.deletedAt && message.deletedAt ? -1 : 0;
  if (parent && delta) thread.messages.set(parent.id, { ...parent, replyCount: Math.max(0, (parent.replyCount ?? 0) + delta) });
  if (known && (known.text !== message.text || known.deletedAt !== message.deletedAt)) {
    const replyTo = { id: message.id, senderId: message.senderId, text: message.deletedAt ? '' : cut(message.text), deletedAt: message.deletedAt };
    for (const other of thread.messages.values()) {
      if (other.replyTo?.id === message.id) thread.messages.set(other.id, { ...other, replyTo });
    }
    if (state.replyingTo?.id === message.id) {
      if (message.deletedAt) {
        cancelReply();
      } else {
        Object.assign(state.replyingTo, replyTo);
        renderReplyBar();
      }
    }
  }
  const panel = state.replies;
  if (panel && (panel.message.id === message.replyTo?.id || panel.message.id === message.id)) {
    if (panel.message.id === message.replyTo?.id) panel.items.set(message.id, message);
    renderReplies();
  }
}

export function bindReplies() {
  $('close-replies').addEventListener('click', closeReplies);
  $('replies-more').addEventListener('click', loadReplies);
  $('replies-answer').addEventListener('click', () => {
    const panel = state.replies;
    if (panel) startReply(state.threads.get(panel.conversationId)?.messages.get(panel.message.id) ?? panel.message);
  });
  $('replies').addEventListener('keydown', event => {
    if (event.key === 'Escape') closeReplies();
  });
}
