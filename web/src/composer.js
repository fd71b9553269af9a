// The composer: text, attachments (uploaded as soon as they are picked, sent with the next
// message), the message it answers and whom it mentions, and sending through the outbox so that a
// failed send can be retried safely.
import { $, h } from './dom.js';
import { formatSize } from './format.js';
import { mentionKey, mentionsIn } from './mentions.js';
import { renderThread, startEdit } from './messages.js';
import { cancelReply } from './replies.js';
import { reportError } from './session.js';
import { lastOwnMessage, state } from './state.js';
import { applyMessage } from './thread.js';
import { startTyping, stopTyping } from './typing.js';

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export function bindComposer() {
  const composer = $('composer-text');

  composer.addEventListener('keydown', event => {
    if (mentionKey(event)) return;
    if (event.key === 'Escape' && state.replyingTo) {
      event.preventDefault();
      cancelReply();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $('composer').requestSubmit();
    } else if (event.key === 'ArrowUp' && !composer.value) {
      // Up in an empty box edits my last message.
      const last = lastOwnMessage(state.threads.get(state.current));
      if (last) {
        event.preventDefault();
        startEdit(last.id);
      }
    }
  });

  composer.addEventListener('input', () => {
    composer.style.height = 'auto';
    composer.style.height = `${Math.min(composer.scrollHeight, 160)}px`;
    if (!state.current) return;
    if (composer.value.trim()) startTyping();
    else stopTyping();
  });

  $('composer-file').addEventListener('change', event => {
    const conversationId = state.current;
    for (const file of event.target.files) {
      const pending = { key: uuid(), file, status: 'uploading', attachment: null, promise: null };
      pending.promise = state.api.upload(file, conversationId).then(attachment => {
        pending.attachment = attachment;
        pending.status = 'ready';
      }).catch(error => {
        pending.status = 'failed';
        pending.error = error.message;
      }).finally(renderPendingFiles);
      state.pendingFiles.push(pending);
    }
    event.target.value = '';
    renderPendingFiles();
  });

  $('composer').addEventListener('submit', async event => {
    event.preventDefault();
    $('composer-error').textContent = '';
    const conversationId = state.current;
    const text = composer.value.trim();
    const files = state.pendingFiles;
    if (!conversationId || (!text && files.length === 0)) return;
    await Promise.all(files.map(p => p.promise));
    if (files.some(p => p.status === 'failed')) {
      $('composer-error').textContent = 'An attachment failed to upload: remove it and try again.';
      return;
    }
    const replyTo = state.replyingTo;
    const mentions = mentionsIn(text, conversationId);
    state.pendingFiles = [];
    renderPendingFiles();
    cancelReply();
    state.composerMentions.clear();
    composer.value = '';
    composer.style.height = 'auto';
    stopTyping();
    const clientMessageId = uuid();
    state.outbox.set(clientMessageId, {
      conversationId,
      text,
      attachmentIds: files.map(p => p.attachment.id),
      attachmentNames: files.map(p => p.file.name),
      replyTo,
      mentions,
      status: 'sending',
    });
    renderThread({ toBottom: true });
    sendEntry(clientMessageId);
  });
}

function renderPendingFiles() {
  $('pending-files').replaceChildren(...state.pendingFiles.map(p => h('li', { class: `pending-file ${p.status}` },
    h('span', { class: 'file-name', text: p.file.name }),
    h('span', { class: 'file-size', text: p.status === 'uploading' ? ' uploading…' : p.status === 'failed' ? ` failed: ${p.error}` : ` ${formatSize(p.file.size)}` }),
    h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${p.file.name}`, text: '✕', onclick: () => removePendingFile(p) }))));
}

function removePendingFile(pending) {
  state.pendingFiles = state.pendingFiles.filter(p => p !== pending);
  if (pending.attachment) state.api.deleteAttachment(pending.attachment.id).catch(() => {});
  renderPendingFiles();
  $('composer-text').focus();
}

/** Attachments picked but not sent: deleted on the server when the conversation is left. */
export function discardPendingFiles() {
  for (const pending of state.pendingFiles) {
    if (pending.attachment) state.api?.deleteAttachment(pending.attachment.id).catch(() => {});
  }
  state.pendingFiles = [];
  renderPendingFiles();
}

/** Sends (or sends again) a message of the outbox. */
export async function sendEntry(clientMessageId) {
  const entry = state.outbox.get(clientMessageId);
  if (!entry) return;
  entry.status = 'sending';
  entry.error = '';
  if (entry.conversationId === state.current) renderThread();
  try {
    // REST, not the hub: it works while the hub reconnects, and clientMessageId makes a retry return the original.
    const message = await state.api.send({
      conversationId: entry.conversationId,
      text: entry.text,
      attachmentIds: entry.attachmentIds,
      clientMessageId,
      replyToId: entry.replyTo?.id,
      mentions: entry.mentions.length ? entry.mentions : undefined,
    });
    state.outbox.delete(clientMessageId);
    applyMessage(message, true);
  } catch (error) {
    entry.status = 'failed';
    entry.retriable = error.status === 0 || error.status >= 500 || error.status === 429;
    entry.error = error.message;
    if (entry.conversationId === state.current) renderThread();
    reportError(error);
  }
}
