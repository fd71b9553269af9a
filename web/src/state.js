// The model: what this window knows of the signed-in user, their conversations, threads and unsent
// messages. No DOM here (but for whether the page is visible); the views read it and render.

export const state = {
  base: '',
  token: null,
  me: null,
  name: null,
  api: null,
  connection: null,
  connectionState: 'offline',
  signingOut: false,
  conversations: new Map(),
  threads: new Map(), // conversationId -> { messages: Map, lastSeq, older, loaded, loading }
  members: null, // the details panel's paged participants: { id, items, next } (a conversation lists 20 at most)
  current: null,
  editing: null,
  typing: new Map(), // conversationId -> Map(userId -> timer)
  pendingFiles: [],
  outbox: new Map(), // clientMessageId -> { conversationId, text, attachmentIds, status, error }
  typingSentAt: 0,
  typingStopTimer: null,
  markReadTimer: null,
  replyingTo: null, // the message the composer answers: { id, senderId, text, deletedAt }
  replies: null, // the open replies panel: { conversationId, message, items: Map, next, loading }
  reactingTo: null, // the message whose reaction picker is open
  mentionPicker: null, // the open @-picker: { start, options, active }
  composerMentions: new Set(), // user ids picked with @ for the message being written
  mentionables: null, // every participant of a large group, for the @-picker: { id, ids }
  presence: new Map(), // userId -> { status, lastSeenAt }
  presenceAsked: new Set(), // user ids whose presence this connection has fetched
};

/** Where this window keeps its token: per API base, in sessionStorage. */
export const storageKey = () => `messaging.token:${state.base || location.origin}`;

/** Forgets everything of the signed-in user. */
export function forgetUser() {
  Object.assign(state, { token: null, me: null, api: null, current: null, editing: null, pendingFiles: [], replyingTo: null, replies: null, reactingTo: null, mentionPicker: null, mentionables: null });
  state.composerMentions.clear();
  state.presence.clear();
  state.presenceAsked.clear();
  state.conversations.clear();
  state.threads.clear();
  state.outbox.clear();
  state.typing.forEach(users => users.forEach(timer => clearTimeout(timer)));
  state.typing.clear();
}

export function threadOf(id) {
  let thread = state.threads.get(id);
  if (!thread) {
    thread = { messages: new Map(), lastSeq: 0, older: null, loaded: false, loading: false };
    state.threads.set(id, thread);
  }
  return thread;
}

export function storeMessage(thread, message) {
  const known = thread.messages.get(message.id);
  // An update never goes backwards: a tombstone or a later edit wins over an older copy.
  if (known && (known.deletedAt && !message.deletedAt || (known.editedAt ?? '') > (message.editedAt ?? ''))) return;
  // Events carry no myReactions (REST only): keep what this window knows of its own.
  if (message.myReactions === undefined) message.myReactions = message.deletedAt ? [] : known?.myReactions ?? [];
  thread.messages.set(message.id, message);
  if (message.sequence > thread.lastSeq) thread.lastSeq = message.sequence;
}

/** The user is looking at the conversation: its new messages are read, not unread. */
export const isReading = id => id === state.current && document.visibilityState === 'visible';

export function noteLastMessage(conversationId, message, live) {
  const conversation = state.conversations.get(conversationId);
  if (!conversation) return;
  const last = conversation.lastMessage;
  if (!last || message.sequence > last.sequence) {
    conversation.lastMessage = message;
    conversation.updatedAt = message.createdAt;
    if (live && message.senderId !== state.me && !isReading(conversationId)) {
      conversation.unreadCount = (conversation.unreadCount || 0) + 1;
      if (message.mentions?.includes(state.me)) conversation.mentionCount = (conversation.mentionCount || 0) + 1;
    }
  } else if (last.id === message.id) {
    conversation.lastMessage = message;
  }
}

export const otherParticipants = conversation => conversation.participants.filter(p => p.userId !== state.me);

/** For a message of mine, who has read it: other participants whose read watermark is at or past it. */
export function readersOf(conversation, thread, message) {
  return otherParticipants(conversation).filter(p => {
    const read = p.lastReadMessageId && thread.messages.get(p.lastReadMessageId);
    return read && read.sequence >= message.sequence;
  }).map(p => p.userId);
}

/** My newest message that is not deleted, the one that carries the receipt; null when none. */
export function lastOwnMessage(thread) {
  if (!thread) return null;
  return [...thread.messages.values()].filter(m => m.senderId === state.me && !m.deletedAt).sort((a, b) => b.sequence - a.sequence)[0] ?? null;
}
