// REST client of the messaging API. Every call carries the bearer token; errors become ApiError
// with the problem details' detail text.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor(base, token) {
    this.base = base.replace(/\/+$/, '');
    this.token = token;
  }

  url(path) {
    return /^https?:\/\//i.test(path) ? path : this.base + path;
  }

  async request(method, path, body, { raw = false } = {}) {
    const headers = { Authorization: `Bearer ${this.token}` };
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.url(path), { method, headers, body: payload });
    } catch (error) {
      throw new ApiError(0, { detail: 'The server cannot be reached.' });
    }
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, problem);
    }
    if (raw) return response;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  get(path) { return this.request('GET', path); }
  post(path, body) { return this.request('POST', path, body ?? {}); }
  put(path) { return this.request('PUT', path); }
  patch(path, body) { return this.request('PATCH', path, body); }
  del(path) { return this.request('DELETE', path); }

  /** Every item of a paged list, following nextLink (at most maxPages pages). */
  async all(path, maxPages = 20) {
    const items = [];
    let next = path;
    for (let i = 0; next && i < maxPages; i++) {
      const page = await this.get(next);
      items.push(...page.value);
      next = page.nextLink;
    }
    return items;
  }

  conversations() { return this.all('/api/messaging/conversations/?limit=100'); }
  conversation(id) { return this.get(`/api/messaging/conversations/${enc(id)}/`); }
  /** One page of a conversation's participants, earliest joiner first: the first page, or the page nextLink names. */
  participants(id, nextLink = null) { return this.get(nextLink ?? `/api/messaging/conversations/${enc(id)}/participants/?limit=100`); }
  history(id, limit = 30) { return this.get(`/api/messaging/conversations/${enc(id)}/messages/?limit=${limit}`); }
  after(id, sequence) { return this.all(`/api/messaging/conversations/${enc(id)}/messages/?after=${sequence}&limit=100`, 100); }
  startDirect(userId) { return this.post('/api/messaging/conversations/direct/', { userId }); }
  startGroup(title, participantIds) { return this.post('/api/messaging/conversations/', { title: title || undefined, participantIds }); }
  startTask(taskId, title, participantIds) { return this.post('/api/messaging/conversations/task/', { taskId, title: title || undefined, participantIds }); }
  addParticipant(id, userId) { return this.post(`/api/messaging/conversations/${enc(id)}/add_participant/`, { userId }); }
  removeParticipant(id, userId) { return this.post(`/api/messaging/conversations/${enc(id)}/remove_participant/`, { userId }); }
  rename(id, title) { return this.post(`/api/messaging/conversations/${enc(id)}/update_title/`, { title }); }
  deleteConversation(id) { return this.del(`/api/messaging/conversations/${enc(id)}/`); }
  typing(id, isTyping) { return this.post(`/api/messaging/conversations/${enc(id)}/typing/`, { isTyping }); }
  send(message) { return this.post('/api/messaging/messages/', message); }
  edit(id, text) { return this.patch(`/api/messaging/messages/${enc(id)}/`, { text }); }
  deleteMessage(id) { return this.del(`/api/messaging/messages/${enc(id)}/`); }
  markRead(conversationId) { return this.post('/api/messaging/messages/mark_as_read/', { conversationId }); }
  unreadCounts() { return this.get('/api/messaging/messages/unread_count/'); }
  /** A message's replies, oldest first: the first page, or the page nextLink names. */
  replies(id, nextLink = null) { return this.get(nextLink ?? `/api/messaging/messages/${enc(id)}/replies/?limit=50`); }
  react(id, reaction) { return this.put(`/api/messaging/messages/${enc(id)}/reactions/${enc(reaction)}/`); }
  unreact(id, reaction) { return this.del(`/api/messaging/messages/${enc(id)}/reactions/${enc(reaction)}/`); }
  presence(userIds) { return this.get(`/api/messaging/presence/?userIds=${userIds.map(enc).join(',')}`); }
  attachment(id) { return this.get(`/api/messaging/attachments/${enc(id)}/`); }
  deleteAttachment(id) { return this.del(`/api/messaging/attachments/${enc(id)}/`); }

  upload(file, conversationId) {
    const form = new FormData();
    if (conversationId) form.append('conversationId', conversationId);
    form.append('file', file, file.name);
    return this.request('POST', '/api/messaging/attachments/', form);
  }
}

const enc = encodeURIComponent;

/** The claims of a JWT, without verifying it (the server does that): for the user id and name. */
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(Array.from(atob(part), c => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
    return JSON.parse(json);
  } catch {
    return null;
  }
}
