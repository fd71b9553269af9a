// The conversation's header and details panel: title, participants, rename, add, remove, leave, delete.
import { removeConversation, upsertConversation } from './conversations.js';
import { $, h } from './dom.js';
import { kindOf, titleOf } from './format.js';
import { askPresence, presenceDot } from './presence.js';
import { reportError } from './session.js';
import { state } from './state.js';

export function renderChatHeader() {
  const conversation = state.conversations.get(state.current);
  if (!conversation) return;
  $('chat-title').textContent = titleOf(conversation);
  const names = conversation.participants.map(p => p.userId === state.me ? 'you' : p.userId);
  const count = conversation.participantCount ?? names.length;
  $('chat-subtitle').textContent = `${kindOf(conversation)} · ${names.join(', ')}${count > names.length ? ` and ${count - names.length} more` : ''}`;
  const other = conversation.type === 'direct' ? conversation.participants.find(p => p.userId !== state.me) : null;
  $('chat-presence').replaceChildren(...(other ? [presenceDot(other.userId)].filter(Boolean) : []));
  const shown = renderDetails(conversation);
  askPresence(shown.map(p => p.userId));
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
      presenceDot(p.userId),
      h('span', { class: 'role', text: p.role }),
      canRemove ? h('button', {
        type: 'button',
        class: 'small',
        'aria-label': self ? 'Leave the conversation' : `Remove ${p.userId}`,
        text: self ? 'Leave' : 'Remove',
        onclick: () => removeParticipant(conversation.id, p.userId),
      }) : null);
  }));
  return shown;
}

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

async function showMoreParticipants() {
  const id = state.current;
  const members = state.members?.id === id ? state.members : { id, items: [], next: null };
  $('details-error').textContent = '';
  try {
    const page = await state.api.participants(id, members.next);
    state.members = { id, items: [...members.items, ...page.value], next: page.nextLink };
    if (state.current === id) renderChatHeader();
  } catch (error) {
    reportError(error, 'details-error');
  }
}

export function bindDetails() {
  $('more-participants').addEventListener('click', showMoreParticipants);

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
}
