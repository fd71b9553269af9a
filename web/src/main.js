// The web chat client: plain DOM code, the REST API for every change, SignalR for live events.
// Client recipe (README "Real time"): remember the last sequence per conversation; on a gap or a
// reconnect fetch `messages/?after=<sequence>`; send with a clientMessageId so retries are safe.
import * as signalR from '@microsoft/signalr';
import { Api, ApiError, claimsOf } from './api.js';
import './style.css';

const $ = id => document.getElementById(id);

/** Creates an element; text always goes through textContent, never through HTML. */
function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const state = {
  base: '',
  token: null,
  me: null,
  name: null,
  api: null,
  connection: null,
  connectionState: 'offline',
  signingOut: false,
  conversations: new Map(),
  threads: new Map(), // conversationId -> { messages: Map, lastSeq, older, loading }
  members: null, // the details panel's paged participants: { id, items, next } (a conversation lists 20 at most)
  current: null,
  editing: null,
  typing: new Map(), // conversationId -> Map(userId -> timer)
  pendingFiles: [],
  outbox: new Map(), // clientMessageId -> { conversationId, text, attachmentIds, status, error }
  typingSentAt: 0,
  typingStopTimer: null,
  markReadTimer: null,
};

const storageKey = () => `messaging.token:${state.base || location.origin}`;

// ---------------------------------------------------------------- configuration and sign-in

/** The API base URL: `?api=` beats `config.json`'s `apiBaseUrl`; empty means this page's origin. */
async function resolveBase() {
  const query = new URLSearchParams(location.search).get('api');
  if (query) return query.replace(/\/+$/, '');
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = await response.json();
      if (typeof config.apiBaseUrl === 'string') return config.apiBaseUrl.replace(/\/+$/, '');
    }
  } catch { /* no config: same origin */ }
  return '';
}

async function devSignInAvailable() {
  try {
    const response = await fetch(`${state.base}/dev/token`, { cache: 'no-store' });
    return response.status === 204;
  } catch {
    return false;
  }
}

async function showSignIn(message = '') {
  $('app').hidden = true;
  $('me').hidden = true;
  $('signin').hidden = false;
  setConnection('signed-out');
  $('signin-error').textContent = message;
  const recent = JSON.parse(localStorage.getItem('messaging.recentUsers') || '[]');
  $('known-users').replaceChildren(...recent.map(user => h('option', { value: user })));
  const dev = await devSignInAvailable();
  $('dev-signin').hidden = !dev;
  $('token-hint').textContent = dev
    ? 'Or paste a bearer token (JWT) issued for this service.'
    : 'Paste a bearer token (JWT) issued for this service. (Sign-in by name is only offered by a development server.)';
  (dev ? $('signin-user') : $('signin-token')).focus();
}

$('dev-signin').addEventListener('submit', async event => {
  event.preventDefault();
  const userId = $('signin-user').value.trim();
  const name = $('signin-name').value.trim();
  try {
    const response = await fetch(`${state.base}/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId, name: name || undefined }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, body);
    const recent = JSON.parse(localStorage.getItem('messaging.recentUsers') || '[]').filter(u => u !== userId);
    localStorage.setItem('messaging.recentUsers', JSON.stringify([userId, ...recent].slice(0, 10)));
    signIn(body.token);
  } catch (error) {
    $('signin-error').textContent = `Sign-in failed: ${error.message}`;
  }
});

$('token-signin').addEventListener('submit', event => {
  event.preventDefault();
  const token = $('signin-token').value.trim();
  if (!claimsOf(token)?.sub) {
    $('signin-error').textContent = 'That is not a JWT with a "sub" claim.';
    return;
  }
  signIn(token);
});

$('sign-out').addEventListener('click', () => signOut());

function signIn(token) {
  const claims = claimsOf(token);
  state.token = token;
  state.me = claims.sub;
  state.name = claims.name || claims.sub;
  state.api = new Api(state.base, token);
  state.signingOut = false;
  // Per window (sessionStorage): two windows of one browser can be two users.
  sessionStorage.setItem(storageKey(), token);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('me').hidden = false;
  $('me-name').textContent = state.name === state.me ? state.me : `${state.name} (${state.me})`;
  startConnection();
  loadConversations().catch(reportError);
}

async function signOut(message = '') {
  state.signingOut = true;
  sessionStorage.removeItem(storageKey());
  const connection = state.connection;
  state.connection = null;
  if (connection) await connection.stop().catch(() => {});
  Object.assign(state, { token: null, me: null, api: null, current: null, editing: null, pendingFiles: [] });
  state.conversations.clear();
  state.threads.clear();
  state.outbox.clear();
  state.typing.forEach(users => users.forEach(timer => clearTimeout(timer)));
  state.typing.clear();
  $('conversation-list').replaceChildren();
  $('messages').replaceChildren();
  closeChat();
  showSignIn(message);
}

function reportError(error, target = null) {
  if (error instanceof ApiError && error.status === 401 && state.token) {
    signOut('Your session has expired or the token is not accepted. Sign in again.');
    return;
  }
  console.warn(error);
  if (target) $(target).textContent = error.message;
}

// ---------------------------------------------------------------- real time

function setConnection(value) {
  state.connectionState = value;
  const labels = {
    'signed-out': 'Signed out',
    connecting: 'Connecting…',
    online: 'Online',
    reconnecting: 'Reconnecting…',
    offline: 'Offline, retrying…',
  };
  const node = $('connection');
  node.dataset.state = value;
  node.textContent = labels[value];
}

function startConnection() {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${state.base}/api/messaging`, { accessTokenFactory: () => state.token })
    // Keep trying for as long as the page is open: quickly at first, then every 5 s.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(500 * 2 ** ctx.previousRetryCount, 5000) })
    .configureLogging(signalR.LogLevel.None)
    .build();
  state.connection = connection;

  connection.on('message.created', m => applyMessage(m, true));
  connection.on('message.updated', m => applyMessage(m, false));
  connection.on('message.deleted', m => applyMessage(m, false));
  connection.on('message.read', applyRead);
  connection.on('conversation.created', c => upsertConversation(c, true));
  connection.on('conversation.updated', c => upsertConversation(c, false));
  connection.on('conversation.deleted', ({ id }) => removeConversation(id));
  connection.on('typing.indicator', applyTyping);

  connection.onreconnecting(() => setConnection('reconnecting'));
  connection.onreconnected(() => {
    setConnection('online');
    catchUp();
  });
  connection.onclose(() => {
    if (state.connection === connection && !state.signingOut) {
      setConnection('offline');
      setTimeout(() => connect(connection, 1), 1000);
    }
  });
  connect(connection, 0);
}

async function connect(connection, attempt) {
  if (state.connection !== connection) return;
  setConnection(attempt === 0 ? 'connecting' : 'offline');
  try {
    await connection.start();
    setConnection('online');
    if (attempt > 0) catchUp();
  } catch (error) {
    if (state.connection !== connection) return;
    if (error?.statusCode === 401 || /401/.test(error?.message ?? '')) {
      signOut('The token is not accepted. Sign in again.');
      return;
    }
    setConnection('offline');
    setTimeout(() => connect(connection, attempt + 1), Math.min(1000 * 2 ** attempt, 5000));
  }
}

/** After a reconnect: the conversation list again, every missed message of the loaded threads, unsent messages. */
async function catchUp() {
  try {
    await loadConversations();
    for (const [id, thread] of state.threads) {
      if (state.conversations.has(id)) await catchUpThread(id, thread);
    }
    for (const [clientMessageId, entry] of state.outbox) {
      if (entry.status === 'failed' && entry.retriable) sendEntry(clientMessageId);
    }
    if (state.current) scheduleMarkRead();
  } catch (error) {
    reportError(error);
  }
}

async function catchUpThread(id, thread) {
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

// ---------------------------------------------------------------- conversations

async function loadConversations() {
  const list = await state.api.conversations();
  const seen = new Set();
  for (const conversation of list) {
    seen.add(conversation.id);
    state.conversations.set(conversation.id, conversation);
  }
  for (const id of [...state.conversations.keys()]) {
    if (!seen.has(id)) removeConversation(id);
  }
  renderConversations();
  if (state.current) renderChatHeader();
}

function upsertConversation(conversation, created) {
  const known = state.conversations.get(conversation.id);
  if (known && !created) {
    // The event's unread count and last message may be older than what this client already knows.
    conversation.unreadCount = known.unreadCount;
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

function removeConversation(id) {
  state.conversations.delete(id);
  state.threads.delete(id);
  if (state.current === id) {
    closeChat();
    $('placeholder').firstElementChild.textContent = 'That conversation was deleted or you were removed from it.';
  }
  renderConversations();
}

const otherParticipants = conversation => conversation.participants.filter(p => p.userId !== state.me);

function titleOf(conversation) {
  if (conversation.title) return conversation.title;
  const others = otherParticipants(conversation).map(p => p.userId);
  if (conversation.type === 'task' && conversation.taskId) return `Task ${conversation.taskId}`;
  return others.length ? others.join(', ') : 'Only you';
}

function preview(message) {
  if (!message) return 'No messages yet';
  const who = message.senderId === state.me ? 'You' : message.senderId;
  if (message.deletedAt) return `${who}: message deleted`;
  const files = message.attachments.length ? `[${message.attachments.map(a => a.fileName).join(', ')}] ` : '';
  return `${who}: ${files}${message.text}`.trim();
}

function shortTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

function renderConversations() {
  const list = $('conversation-list');
  const focusedId = document.activeElement?.closest?.('#conversation-list li')?.dataset.id;
  const sorted = [...state.conversations.values()].sort((a, b) =>
    (b.lastMessage?.createdAt ?? b.updatedAt).localeCompare(a.lastMessage?.createdAt ?? a.updatedAt));
  list.replaceChildren(...sorted.map(conversation => {
    const unread = conversation.unreadCount || 0;
    const title = titleOf(conversation);
    const button = h('button', {
      type: 'button',
      class: 'conversation',
      'aria-current': conversation.id === state.current ? 'true' : undefined,
      'aria-label': `${title}${unread ? `, ${unread} unread` : ''}`,
      onclick: () => openConversation(conversation.id),
    },
    h('span', { class: 'conversation-top' },
      h('span', { class: 'conversation-title', text: title }),
      h('span', { class: 'kind', text: conversation.type }),
      h('time', { class: 'conversation-time', datetime: conversation.lastMessage?.createdAt ?? conversation.updatedAt, text: shortTime(conversation.lastMessage?.createdAt ?? conversation.updatedAt) })),
    h('span', { class: 'conversation-bottom' },
      h('span', { class: 'last-message', text: preview(conversation.lastMessage) }),
      unread ? h('span', { class: 'badge', 'aria-hidden': 'true', text: unread > 99 ? '99+' : String(unread) }) : null));
    return h('li', { 'data-id': conversation.id }, button);
  }));
  $('no-conversations').hidden = sorted.length > 0;
  if (focusedId) list.querySelector(`li[data-id="${CSS.escape(focusedId)}"] button`)?.focus();
}

// New conversation form
const newForm = $('new-form');
function syncNewForm() {
  const kind = newForm.elements.kind.value;
  for (const block of newForm.querySelectorAll('[data-for]')) {
    block.hidden = !block.dataset.for.split(' ').includes(kind);
  }
  $('new-user').required = kind === 'direct';
  $('new-task').required = kind === 'task';
}
newForm.addEventListener('change', syncNewForm);
syncNewForm();

newForm.addEventListener('submit', async event => {
  event.preventDefault();
  $('new-error').textContent = '';
  const kind = newForm.elements.kind.value;
  const ids = $('new-participants').value.split(/[,\s]+/).map(s => s.trim()).filter(Boolean);
  try {
    const conversation = kind === 'direct' ? await state.api.startDirect($('new-user').value.trim())
      : kind === 'group' ? await state.api.startGroup($('new-title').value.trim(), ids)
        : await state.api.startTask($('new-task').value.trim(), $('new-title').value.trim(), ids);
    state.conversations.set(conversation.id, { ...state.conversations.get(conversation.id), ...conversation });
    newForm.reset();
    syncNewForm();
    $('new-conversation').open = false;
    renderConversations();
    openConversation(conversation.id);
  } catch (error) {
    reportError(error, 'new-error');
  }
});

// ---------------------------------------------------------------- one conversation

function threadOf(id) {
  let thread = state.threads.get(id);
  if (!thread) {
    thread = { messages: new Map(), lastSeq: 0, older: null, loaded: false, loading: false };
    state.threads.set(id, thread);
  }
  return thread;
}

function storeMessage(thread, message) {
  const known = thread.messages.get(message.id);
  // An update never goes backwards: a tombstone or a later edit wins over an older copy.
  if (known && (known.deletedAt && !message.deletedAt || (known.editedAt ?? '') > (message.editedAt ?? ''))) return;
  thread.messages.set(message.id, message);
  if (message.sequence > thread.lastSeq) thread.lastSeq = message.sequence;
}

function noteLastMessage(conversationId, message, live) {
  const conversation = state.conversations.get(conversationId);
  if (!conversation) return;
  const last = conversation.lastMessage;
  if (!last || message.sequence > last.sequence) {
    conversation.lastMessage = message;
    conversation.updatedAt = message.createdAt;
    if (live && message.senderId !== state.me && !isReading(conversationId)) {
      conversation.unreadCount = (conversation.unreadCount || 0) + 1;
    }
  } else if (last.id === message.id) {
    conversation.lastMessage = message;
  }
}

const isReading = id => id === state.current && document.visibilityState === 'visible';

function applyMessage(message, live) {
  const id = message.conversationId;
  if (!state.conversations.has(id)) {
    // A conversation this client has not heard of yet: fetch it.
    state.api.conversation(id).then(c => upsertConversation(c, true)).catch(() => {});
    return;
  }
  const thread = state.threads.get(id);
  if (thread?.loaded) {
    const gap = live && message.sequence > thread.lastSeq + 1;
    storeMessage(thread, message);
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

function applyRead({ conversationId, userId, lastReadMessageId, readAt }) {
  const conversation = state.conversations.get(conversationId);
  if (!conversation) return;
  const participant = conversation.participants.find(p => p.userId === userId);
  if (participant) Object.assign(participant, { lastReadMessageId, lastReadAt: readAt });
  if (userId === state.me) {
    if (conversation.lastMessage?.id === lastReadMessageId) conversation.unreadCount = 0;
    else refreshUnread();
    renderConversations();
  }
  const thread = state.threads.get(conversationId);
  if (thread?.loaded && !thread.messages.has(lastReadMessageId)) catchUpThread(conversationId, thread).catch(reportError);
  if (conversationId === state.current) renderThread();
}

let unreadTimer = null;
function refreshUnread() {
  clearTimeout(unreadTimer);
  unreadTimer = setTimeout(async () => {
    try {
      const counts = await state.api.unreadCounts();
      const byId = new Map(counts.conversations.map(c => [c.conversationId, c.unreadCount]));
      for (const conversation of state.conversations.values()) conversation.unreadCount = byId.get(conversation.id) ?? 0;
      renderConversations();
    } catch (error) {
      reportError(error);
    }
  }, 300);
}

async function openConversation(id) {
  if (state.current && state.current !== id) {
    stopTyping();
    discardPendingFiles();
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

function closeChat() {
  stopTyping();
  discardPendingFiles();
  state.current = null;
  $('chat').hidden = true;
  $('placeholder').hidden = false;
  $('app').classList.remove('show-chat');
  renderConversations();
}

$('back').addEventListener('click', () => {
  const id = state.current;
  closeChat();
  $('conversation-list').querySelector(`li[data-id="${CSS.escape(id ?? '')}"] button`)?.focus();
});

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

$('load-older').addEventListener('click', loadOlder);
$('scroller').addEventListener('scroll', () => {
  if ($('scroller').scrollTop < 120) loadOlder();
}, { passive: true });

function renderChatHeader() {
  const conversation = state.conversations.get(state.current);
  if (!conversation) return;
  $('chat-title').textContent = titleOf(conversation);
  const kind = conversation.type === 'task' ? `Task ${conversation.taskId}` : conversation.type === 'group' ? 'Group' : 'Direct';
  const names = conversation.participants.map(p => p.userId === state.me ? 'you' : p.userId);
  const count = conversation.participantCount ?? names.length;
  $('chat-subtitle').textContent = `${kind} · ${names.join(', ')}${count > names.length ? ` and ${count - names.length} more` : ''}`;
  renderDetails(conversation);
}

function renderDetails(conversation) {
  const direct = conversation.type === 'direct';
  const me = conversation.participants.find(p => p.userId === state.me);
  const owner = me?.role === 'owner';
  $('rename-form').hidden = direct;
  $('add-form').hidden = direct;
  if (document.activeElement !== $('rename-title')) $('rename-title').value = conversation.title ?? '';
  $('delete-conversation').hidden = !(owner || direct);
  // Beyond 20 the conversation lists only some participants: the rest are paged in on demand.
  const paged = state.members?.id === conversation.id ? state.members.items : [];
  const shown = [...conversation.participants, ...paged.filter(p => !conversation.participants.some(q => q.userId === p.userId))];
  const count = conversation.participantCount ?? shown.length;
  const more = $('more-participants');
  more.hidden = shown.length >= count || (state.members?.id === conversation.id && !state.members.next && paged.length > 0);
  more.textContent = `Show more (${shown.length} of ${count})`;
  $('participant-list').replaceChildren(...shown.map(p => {
    const self = p.userId === state.me;
    const canRemove = !direct && (self || owner);
    return h('li', {},
      h('span', { text: `${p.userId}${self ? ' (you)' : ''}` }),
      h('span', { class: 'role', text: p.role }),
      canRemove ? h('button', {
        type: 'button',
        class: 'small',
        'aria-label': self ? 'Leave the conversation' : `Remove ${p.userId}`,
        text: self ? 'Leave' : 'Remove',
        onclick: () => removeParticipant(conversation.id, p.userId),
      }) : null);
  }));
}

$('more-participants').addEventListener('click', async () => {
  const id = state.current;
  const members = state.members?.id === id ? state.members : { id, items: [], next: null };
  $('details-error').textContent = '';
  try {
    const page = await state.api.participants(id, members.next);
    state.members = { id, items: [...members.items, ...page.value], next: page.nextLink };
    if (state.current === id) renderDetails(state.conversations.get(id));
  } catch (error) {
    reportError(error, 'details-error');
  }
});

$('toggle-details').addEventListener('click', () => {
  const open = $('details').hidden;
  $('details').hidden = !open;
  $('toggle-details').setAttribute('aria-expanded', String(open));
  $('details-error').textContent = '';
  if (open) ($('rename-form').hidden ? $('participant-list') : $('rename-title')).focus?.();
});

$('rename-form').addEventListener('submit', async event => {
  event.preventDefault();
  $('details-error').textContent = '';
  try {
    upsertConversation(await state.api.rename(state.current, $('rename-title').value.trim()), false);
    $('rename-title').blur();
    renderChatHeader();
  } catch (error) {
    reportError(error, 'details-error');
  }
});

$('add-form').addEventListener('submit', async event => {
  event.preventDefault();
  $('details-error').textContent = '';
  try {
    upsertConversation(await state.api.addParticipant(state.current, $('add-user').value.trim()), false);
    $('add-user').value = '';
  } catch (error) {
    reportError(error, 'details-error');
  }
});

async function removeParticipant(conversationId, userId) {
  $('details-error').textContent = '';
  if (userId === state.me && !confirm('Leave this conversation?')) return;
  try {
    const conversation = await state.api.removeParticipant(conversationId, userId);
    if (userId === state.me) removeConversation(conversationId);
    else upsertConversation(conversation, false);
  } catch (error) {
    reportError(error, 'details-error');
  }
}

$('delete-conversation').addEventListener('click', async () => {
  if (!confirm('Delete this conversation for everyone?')) return;
  try {
    const id = state.current;
    await state.api.deleteConversation(id);
    removeConversation(id);
  } catch (error) {
    reportError(error, 'details-error');
  }
});

// ---------------------------------------------------------------- messages

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** For each message of mine, who has read it: other participants whose read watermark is at or past it. */
function readersOf(conversation, thread, message) {
  return otherParticipants(conversation).filter(p => {
    const read = p.lastReadMessageId && thread.messages.get(p.lastReadMessageId);
    return read && read.sequence >= message.sequence;
  }).map(p => p.userId);
}

function messageKey(message, extra) {
  return [message.text, message.editedAt, message.deletedAt, message.attachments.length, extra].join('|');
}

function renderMessage(message, receipt) {
  const mine = message.senderId === state.me;
  const deleted = !!message.deletedAt;
  const editing = state.editing === message.id && !deleted;
  const time = new Date(message.createdAt);
  const body = editing
    ? editForm(message)
    : h('div', { class: deleted ? 'text deleted' : 'text', text: deleted ? 'Message deleted' : message.text });
  return h('li', {
    class: `message ${mine ? 'mine' : 'theirs'}${deleted ? ' is-deleted' : ''}`,
    'data-id': message.id,
    'data-seq': String(message.sequence),
  },
  h('div', { class: 'meta' },
    h('span', { class: 'sender', text: mine ? 'You' : message.senderId }),
    h('time', { datetime: message.createdAt, title: time.toLocaleString(), text: time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) }),
    message.editedAt && !deleted ? h('span', { class: 'edited', text: 'edited' }) : null,
    mine && !deleted && !editing ? h('span', { class: 'actions' },
      h('button', { type: 'button', class: 'link', 'aria-label': 'Edit message', text: 'Edit', onclick: () => startEdit(message.id) }),
      h('button', { type: 'button', class: 'link', 'aria-label': 'Delete message', text: 'Delete', onclick: () => deleteMessage(message) })) : null),
  body,
  message.attachments.length ? h('ul', { class: 'attachments' }, message.attachments.map(a =>
    h('li', {}, h('button', {
      type: 'button',
      class: 'file',
      'aria-label': `Download ${a.fileName}, ${formatSize(a.size)}`,
      onclick: () => download(a),
    }, h('span', { class: 'file-icon', 'aria-hidden': 'true', text: '↓' }), h('span', { class: 'file-name', text: a.fileName }), h('span', { class: 'file-size', text: ` ${formatSize(a.size)}` }))))) : null,
  receipt ? h('div', { class: 'receipt', text: receipt }) : null);
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

function startEdit(id) {
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

function renderThread({ toBottom = false, keepFromBottom = false } = {}) {
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
    const key = messageKey(message, `${text}|${state.editing === message.id}`);
    let li = existing.get(message.id);
    if (!li || li.dataset.key !== key) {
      li = renderMessage(message, text);
      li.dataset.key = key;
    }
    wanted.push(li);
  }
  for (const [clientMessageId, entry] of state.outbox) {
    if (entry.conversationId !== id || sentIds.has(clientMessageId)) continue;
    const key = `out|${entry.status}|${entry.error}`;
    let li = existing.get(`out-${clientMessageId}`);
    if (!li || li.dataset.key !== key) {
      li = h('li', { class: `message mine pending ${entry.status}`, 'data-id': `out-${clientMessageId}` },
        h('div', { class: 'meta' }, h('span', { class: 'sender', text: 'You' })),
        h('div', { class: 'text', text: entry.text }),
        entry.attachmentNames.length ? h('div', { class: 'file-name', text: `Files: ${entry.attachmentNames.join(', ')}` }) : null,
        h('div', { class: 'receipt' },
          entry.status === 'failed' ? `Not sent${entry.error ? `: ${entry.error}` : ''} ` : 'Sending…',
          entry.status === 'failed' ? h('button', { type: 'button', class: 'small', text: 'Retry', onclick: () => sendEntry(clientMessageId) }) : null));
      li.dataset.key = key;
    }
    wanted.push(li);
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

// ---------------------------------------------------------------- composer

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

const composer = $('composer-text');

composer.addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('composer').requestSubmit();
  } else if (event.key === 'ArrowUp' && !composer.value) {
    // Up in an empty box edits my last message.
    const thread = state.threads.get(state.current);
    const last = thread && [...thread.messages.values()].filter(m => m.senderId === state.me && !m.deletedAt).sort((a, b) => b.sequence - a.sequence)[0];
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

function signal(method, isTyping) {
  const id = state.current;
  if (!id) return;
  if (state.connection?.state === signalR.HubConnectionState.Connected) {
    state.connection.invoke(method, { conversationId: id }).catch(() => {});
  } else {
    state.api?.typing(id, isTyping).catch(() => {});
  }
}

function startTyping() {
  const now = Date.now();
  if (now - state.typingSentAt > 3000) {
    state.typingSentAt = now;
    signal('typing.start', true);
  }
  clearTimeout(state.typingStopTimer);
  state.typingStopTimer = setTimeout(stopTyping, 5000);
}

function stopTyping() {
  clearTimeout(state.typingStopTimer);
  if (state.typingSentAt) {
    state.typingSentAt = 0;
    signal('typing.stop', false);
  }
}

function applyTyping({ conversationId, userId, isTyping, expiresAt }) {
  if (userId === state.me) return;
  let users = state.typing.get(conversationId);
  if (!users) state.typing.set(conversationId, users = new Map());
  clearTimeout(users.get(userId));
  if (isTyping) {
    const ms = Math.min(Math.max(new Date(expiresAt).getTime() - Date.now(), 1000), 12000);
    users.set(userId, setTimeout(() => clearTyping(conversationId, userId), ms));
  } else {
    users.delete(userId);
  }
  if (conversationId === state.current) renderTyping();
}

function clearTyping(conversationId, userId) {
  const users = state.typing.get(conversationId);
  if (!users?.has(userId)) return;
  clearTimeout(users.get(userId));
  users.delete(userId);
  if (conversationId === state.current) renderTyping();
}

function renderTyping() {
  const users = [...(state.typing.get(state.current)?.keys() ?? [])];
  $('typing').textContent = users.length === 0 ? ''
    : users.length === 1 ? `${users[0]} is typing…`
      : `${users.slice(0, -1).join(', ')} and ${users.at(-1)} are typing…`;
}

// Attachments: uploaded as soon as they are picked, sent with the next message.
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
  composer.focus();
}

function discardPendingFiles() {
  for (const pending of state.pendingFiles) {
    if (pending.attachment) state.api?.deleteAttachment(pending.attachment.id).catch(() => {});
  }
  state.pendingFiles = [];
  renderPendingFiles();
}

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
  state.pendingFiles = [];
  renderPendingFiles();
  composer.value = '';
  composer.style.height = 'auto';
  stopTyping();
  const clientMessageId = uuid();
  state.outbox.set(clientMessageId, {
    conversationId,
    text,
    attachmentIds: files.map(p => p.attachment.id),
    attachmentNames: files.map(p => p.file.name),
    status: 'sending',
  });
  renderThread({ toBottom: true });
  sendEntry(clientMessageId);
});

async function sendEntry(clientMessageId) {
  const entry = state.outbox.get(clientMessageId);
  if (!entry) return;
  entry.status = 'sending';
  entry.error = '';
  if (entry.conversationId === state.current) renderThread();
  try {
    // REST, not the hub: it works while the hub reconnects, and clientMessageId makes a retry return the original.
    const message = await state.api.send({ conversationId: entry.conversationId, text: entry.text, attachmentIds: entry.attachmentIds, clientMessageId });
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

// ---------------------------------------------------------------- read receipts

function scheduleMarkRead(delay = 300) {
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
      const me = c.participants.find(p => p.userId === state.me);
      if (me) Object.assign(me, { lastReadMessageId: update.lastReadMessageId, lastReadAt: update.lastReadAt });
    }
    renderConversations();
  } catch (error) {
    reportError(error);
  }
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.current) scheduleMarkRead(0);
});

// ---------------------------------------------------------------- start

(async () => {
  state.base = await resolveBase();
  const saved = sessionStorage.getItem(storageKey());
  if (saved && claimsOf(saved)?.sub && (claimsOf(saved).exp ?? Infinity) * 1000 > Date.now()) signIn(saved);
  else showSignIn();
})();
