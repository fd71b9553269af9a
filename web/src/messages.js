// The messages of the open conversation: drawn from the thread and the outbox, with reply, edit,
// delete, download, reactions and the "Seen by" receipt on my newest message.
import { sendEntry } from './composer.js';
import { $, h } from './dom.js';
import { formatSize } from './format.js';
import { textWithMentions } from './mentions.js';
import { reactionBar } from './reactions.js';
import { quoteOnMessage, replyCountButton, startReply } from './replies.js';
import { reportError } from './session.js';
import { readersOf, state } from './state.js';
import { applyMessage } from './thread.js';

export function renderThread({ toBottom = false, keepFromBottom = false } = {}) {
  const id = state.current;
  const conversation = state.conversations.get(id);
  const thread = state.threads.get(id);
  const list = $('messages');
  const scroller = $('scroller');
  if (!conversation || !thread) return;
  const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const fromBottom = scroller.scrollHeight - scroller.scrollTop;

  const messages = [...thread.messages.values()].sort((a, b) => a.sequence - b.sequence);
  const newestMine = [...messages].reverse().find(m => m.senderId === state.me && !m.deletedAt);
  let receipt = null;
  if (newestMine) {
    const readers = readersOf(conversation, thread, newestMine);
    receipt = readers.length ? `Seen by ${readers.join(', ')}` : 'Sent';
  }
  const sentIds = new Set(messages.map(m => m.clientMessageId).filter(Boolean));

  const existing = new Map([...list.children].map(li => [li.dataset.id, li]));
  const wanted = [];
  for (const message of messages) {
    const text = message === newestMine ? receipt : null;
    // While it is edited, only a change of the message itself redraws it: the editor keeps what was typed.
    const key = state.editing === message.id && !message.deletedAt
      ? `editing|${message.text}|${message.editedAt}`
      : messageKey(message, `${text}|${state.reactingTo === message.id}|${state.replies?.message.id === message.id}`);
    wanted.push(reuse(existing.get(message.id), key, () => renderMessage(message, text)));
  }
  for (const [clientMessageId, entry] of state.outbox) {
    if (entry.conversationId !== id || sentIds.has(clientMessageId)) continue;
    const key = `out|${entry.status}|${entry.error}`;
    wanted.push(reuse(existing.get(`out-${clientMessageId}`), key, () => renderUnsent(clientMessageId, entry)));
  }
  // Put the wanted nodes in order, moving only what is out of place (keeps focus and selection).
  const wantedSet = new Set(wanted);
  for (const child of [...list.children]) if (!wantedSet.has(child)) child.remove();
  let cursor = list.firstElementChild;
  for (const li of wanted) {
    if (li === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(li, cursor);
  }

  $('load-older').hidden = !thread.older;
  if (keepFromBottom) scroller.scrollTop = scroller.scrollHeight - fromBottom;
  else if (toBottom || nearBottom) scroller.scrollTop = scroller.scrollHeight;
}

/** The node already on screen when it shows the same thing (same key), else a new one. */
function reuse(li, key, render) {
  if (li && li.dataset.key === key) return li;
  const fresh = render();
  fresh.dataset.key = key;
  return fresh;
}

function messageKey(message, extra) {
  const reactions = JSON.stringify([message.reactions, message.myReactions, message.replyTo, message.mentions]);
  return [message.text, message.editedAt, message.deletedAt, message.attachments.length, message.replyCount, reactions, extra].join('|');
}

function renderMessage(message, receipt) {
  const mine = message.senderId === state.me;
  const deleted = !!message.deletedAt;
  const editing = state.editing === message.id && !deleted;
  const time = new Date(message.createdAt);
  const body = editing
    ? editForm(message)
    : deleted ? h('div', { class: 'text deleted', text: 'Message deleted' })
      : h('div', { class: 'text' }, textWithMentions(message.text, message.mentions));
  const mentionsMe = !deleted && message.mentions?.includes(state.me);
  return h('li', {
    class: `message ${mine ? 'mine' : 'theirs'}${deleted ? ' is-deleted' : ''}${mentionsMe ? ' mentions-me' : ''}`,
    'data-id': message.id,
    'data-seq': String(message.sequence),
  },
  h('div', { class: 'meta' },
    h('span', { class: 'sender', text: mine ? 'You' : message.senderId }),
    h('time', { datetime: message.createdAt, title: time.toLocaleString(), text: time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) }),
    message.editedAt && !deleted ? h('span', { class: 'edited', text: 'edited' }) : null,
    !deleted && !editing ? h('span', { class: 'actions' },
      h('button', { type: 'button', class: 'link', 'aria-label': 'Reply to message', text: 'Reply', onclick: () => startReply(message) }),
      mine ? h('button', { type: 'button', class: 'link', 'aria-label': 'Edit message', text: 'Edit', onclick: () => startEdit(message.id) }) : null,
      mine ? h('button', { type: 'button', class: 'link', 'aria-label': 'Delete message', text: 'Delete', onclick: () => deleteMessage(message) }) : null) : null),
  message.replyTo ? quoteOnMessage(message.replyTo) : null,
  body,
  message.attachments.length ? h('ul', { class: 'attachments' }, message.attachments.map(a =>
    h('li', {}, h('button', {
      type: 'button',
      class: 'file',
      'aria-label': `Download ${a.fileName}, ${formatSize(a.size)}`,
      onclick: () => download(a),
    }, h('span', { class: 'file-icon', 'aria-hidden': 'true', text: '↓' }), h('span', { class: 'file-name', text: a.fileName }), h('span', { class: 'file-size', text: ` ${formatSize(a.size)}` }))))) : null,
  h('div', { class: 'message-foot' }, replyCountButton(message), reactionBar(message)),
  receipt ? h('div', { class: 'receipt', text: receipt }) : null);
}

/** A message of the outbox: sending, or not sent with the reason and a retry. */
function renderUnsent(clientMessageId, entry) {
  return h('li', { class: `message mine pending ${entry.status}`, 'data-id': `out-${clientMessageId}` },
    h('div', { class: 'meta' }, h('span', { class: 'sender', text: 'You' })),
    entry.replyTo ? quoteOnMessage(entry.replyTo) : null,
    h('div', { class: 'text', text: entry.text }),
    entry.attachmentNames.length ? h('div', { class: 'file-name', text: `Files: ${entry.attachmentNames.join(', ')}` }) : null,
    h('div', { class: 'receipt' },
      entry.status === 'failed' ? `Not sent${entry.error ? `: ${entry.error}` : ''} ` : 'Sending…',
      entry.status === 'failed' ? h('button', { type: 'button', class: 'small', text: 'Retry', onclick: () => sendEntry(clientMessageId) }) : null));
}

function editForm(message) {
  const input = h('textarea', { class: 'edit-text', rows: 2, maxlength: 5000, 'aria-label': 'Edit message' });
  input.value = message.text;
  const save = async () => {
    const text = input.value.trim();
    if (!text && !message.attachments.length) return;
    try {
      const updated = await state.api.edit(message.id, text);
      state.editing = null;
      applyMessage(updated, false);
      $('composer-text').focus();
    } catch (error) {
      reportError(error, 'composer-error');
    }
  };
  const cancel = () => {
    state.editing = null;
    renderThread();
    $('composer-text').focus();
  };
  input.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  queueMicrotask(() => {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  });
  return h('form', { class: 'edit-form', onsubmit: event => { event.preventDefault(); save(); } },
    input,
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'small', text: 'Save' }),
      h('button', { type: 'button', class: 'small', text: 'Cancel', onclick: cancel })));
}

export function startEdit(id) {
  state.editing = id;
  renderThread();
}

async function deleteMessage(message) {
  if (!confirm('Delete this message?')) return;
  try {
    await state.api.deleteMessage(message.id);
    applyMessage({ ...message, text: '', attachments: [], deletedAt: new Date().toISOString() }, false);
  } catch (error) {
    reportError(error, 'composer-error');
  }
}

async function download(attachment) {
  try {
    // Download URLs are short-lived: ask for a fresh one at the moment of the click.
    const fresh = await state.api.attachment(attachment.id);
    const link = h('a', { href: state.api.url(fresh.downloadUrl), download: fresh.fileName, rel: 'noopener' });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    reportError(error, 'composer-error');
  }
}
