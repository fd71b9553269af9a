// Read receipts: marking the open conversation read while it is looked at, and the read events of
// every participant (mine move my unread counts, others' the "Seen by" line).
import { renderConversations } from './conversations.js';
import { renderThread } from './messages.js';
import { reportError } from './session.js';
import { isReading, state } from './state.js';
import { catchUpThread } from './thread.js';

let unreadTimer = null;

export function scheduleMarkRead(delay = 300) {
  clearTimeout(state.markReadTimer);
  state.markReadTimer = setTimeout(markRead, delay);
}

async function markRead() {
  const id = state.current;
  const conversation = state.conversations.get(id);
  if (!conversation || !isReading(id)) return;
  const mine = conversation.participants.find(p => p.userId === state.me);
  const last = conversation.lastMessage;
  if (!last || (conversation.unreadCount === 0 && (mine?.lastReadMessageId === last.id || last.senderId === state.me))) return;
  try {
    const result = await state.api.markRead(id);
    for (const update of result.updated) {
      const c = state.conversations.get(update.conversationId);
      if (!c) continue;
      c.unreadCount = 0;
      c.mentionCount = 0;
      const me = c.participants.find(p => p.userId === state.me);
      if (me) Object.assign(me, { lastReadMessageId: update.lastReadMessageId, lastReadAt: update.lastReadAt });
    }
    renderConversations();
  } catch (error) {
    reportError(error);
  }
}

/** A `message.read` event: someone's read watermark moved. */
export function applyRead({ conversationId, userId, lastReadMessageId, readAt }) {
  const conversation = state.conversations.get(conversationId);
  if (!conversation) return;
  const participant = conversation.participants.find(p => p.userId === userId);
  if (participant) Object.assign(participant, { lastReadMessageId, lastReadAt: readAt });
  if (userId === state.me) {
    if (conversation.lastMessage?.id === lastReadMessageId) Object.assign(conversation, { unreadCount: 0, mentionCount: 0 });
    else refreshUnread();
    renderConversations();
  }
  const thread = state.threads.get(conversationId);
  if (thread?.loaded && !thread.messages.has(lastReadMessageId)) catchUpThread(conversationId, thread).catch(reportError);
  if (conversationId === state.current) renderThread();
}

/** My unread counts from the server, once a burst of read events has settled. */
function refreshUnread() {
  clearTimeout(unreadTimer);
  unreadTimer = setTimeout(async () => {
    try {
      const counts = await state.api.unreadCounts();
      const byId = new Map(counts.conversations.map(c => [c.conversationId, c]));
      for (const conversation of state.conversations.values()) {
        conversation.unreadCount = byId.get(conversation.id)?.unreadCount ?? 0;
        conversation.mentionCount = byId.get(conversation.id)?.mentionCount ?? 0;
      }
      renderConversations();
    } catch (error) {
      reportError(error);
    }
  }, 300);
}

/** Coming back to the page reads the open conversation. */
export function bindReceipts() {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.current) scheduleMarkRead(0);
  });
}
