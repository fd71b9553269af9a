// One conversation open: its history (loaded once, older pages on scroll, gaps fetched with
// `?after=`), and the messages that arrive while it is known.
import { discardPendingFiles } from './composer.js';
import { renderConversations, upsertConversation } from './conversations.js';
import { renderChatHeader } from './details.js';
import { $ } from './dom.js';
import { closeMentionPicker } from './mentions.js';
import { renderThread } from './messages.js';
import { scheduleMarkRead } from './receipts.js';
import { cancelReply, closeReplies, noteReply } from './replies.js';
import { reportError } from './session.js';
import { noteLastMessage, state, storeMessage, threadOf } from './state.js';
import { clearTyping, renderTyping, stopTyping } from './typing.js';

export async function openConversation(id) {
  if (state.current && state.current !== id) {
    stopTyping();
    discardPendingFiles();
    cancelReply();
    closeReplies();
    closeMentionPicker();
    state.composerMentions.clear();
  }
  state.current = id;
  state.editing = null;
  $('placeholder').hidden = true;
  $('chat').hidden = false;
  $('app').classList.add('show-chat');
  $('details').hidden = true;
  $('toggle-details').setAttribute('aria-expanded', 'false');
  $('composer-error').textContent = '';
  $('messages').replaceChildren();
  renderChatHeader();
  renderConversations();
  renderTyping();
  const thread = threadOf(id);
  renderThread({ toBottom: true });
  $('composer-text').focus();
  try {
    if (!thread.loaded) {
      thread.loading = true;
      const page = await state.api.history(id);
      page.value.forEach(m => storeMessage(thread, m));
      thread.older = page.nextLink;
      thread.loaded = true;
      thread.loading = false;
    } else {
      await catchUpThread(id, thread);
    }
    if (state.current !== id) return;
    renderThread({ toBottom: true });
    await fillScroller(id);
    scheduleMarkRead(0);
  } catch (error) {
    thread.loading = false;
    reportError(error, 'composer-error');
  }
}

export function closeChat() {
  stopTyping();
  discardPendingFiles();
  cancelReply();
  closeReplies();
  closeMentionPicker();
  state.current = null;
  $('chat').hidden = true;
  $('placeholder').hidden = false;
  $('app').classList.remove('show-chat');
  renderConversations();
}

/** Every message after the last one this thread has; a later request while one runs asks again. */
export async function catchUpThread(id, thread) {
  if (thread.catchingUp) {
    thread.catchUpAgain = true;
    return;
  }
  thread.catchingUp = true;
  try {
    do {
      thread.catchUpAgain = false;
      const missed = await state.api.after(id, thread.lastSeq);
      for (const message of missed) storeMessage(thread, message);
      if (missed.length) noteLastMessage(id, missed[missed.length - 1], false);
    } while (thread.catchUpAgain);
  } finally {
    thread.catchingUp = false;
  }
  if (id === state.current) renderThread();
  renderConversations();
}

/** A message created (`live`), updated or deleted: into its thread, the list, and the screen. */
export function applyMessage(message, live) {
  const id = message.conversationId;
  if (!state.conversations.has(id)) {
    // A conversation this client has not heard of yet: fetch it.
    state.api.conversation(id).then(c => upsertConversation(c, true)).catch(() => {});
    return;
  }
  const thread = state.threads.get(id);
  if (thread?.loaded) {
    const gap = live && message.sequence > thread.lastSeq + 1;
    const known = thread.messages.get(message.id);
    storeMessage(thread, message);
    noteReply(thread, message, known, live);
    if (gap) catchUpThread(id, thread).catch(reportError);
  }
  noteLastMessage(id, message, live);
  if (live) clearTyping(id, message.senderId);
  if (id === state.current) {
    renderThread();
    if (live && message.senderId !== state.me) scheduleMarkRead();
  }
  renderConversations();
}

/** Loads older pages until the history fills the visible area (or there is no more). */
async function fillScroller(id) {
  const scroller = $('scroller');
  while (state.current === id && state.threads.get(id)?.older && scroller.scrollHeight <= scroller.clientHeight + 40) {
    await loadOlder();
  }
}

async function loadOlder() {
  const id = state.current;
  const thread = state.threads.get(id);
  if (!thread?.older || thread.loading) return;
  thread.loading = true;
  $('load-older').textContent = 'Loading…';
  try {
    const page = await state.api.get(thread.older);
    page.value.forEach(m => storeMessage(thread, m));
    thread.older = page.nextLink;
    if (state.current === id) renderThread({ keepFromBottom: true });
  } catch (error) {
    reportError(error, 'composer-error');
  } finally {
    thread.loading = false;
    $('load-older').textContent = 'Load older messages';
  }
}

export function bindThread() {
  $('back').addEventListener('click', () => {
    const id = state.current;
    closeChat();
    $('conversation-list').querySelector(`li[data-id="${CSS.escape(id ?? '')}"] button`)?.focus();
  });
  $('load-older').addEventListener('click', loadOlder);
  $('scroller').addEventListener('scroll', () => {
    if ($('scroller').scrollTop < 120) loadOlder();
  }, { passive: true });
}
