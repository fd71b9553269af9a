// How conversations, messages and files read on screen.
import { otherParticipants, state } from './state.js';

export function titleOf(conversation) {
  if (conversation.title) return conversation.title;
  const others = otherParticipants(conversation).map(p => p.userId);
  if (conversation.type === 'task' && conversation.taskId) return `Task ${conversation.taskId}`;
  return others.length ? others.join(', ') : 'Only you';
}

export function kindOf(conversation) {
  return conversation.type === 'task' ? `Task ${conversation.taskId}` : conversation.type === 'group' ? 'Group' : 'Direct';
}

export function preview(message) {
  if (!message) return 'No messages yet';
  const who = message.senderId === state.me ? 'You' : message.senderId;
  if (message.deletedAt) return `${who}: message deleted`;
  const files = message.attachments.length ? `[${message.attachments.map(a => a.fileName).join(', ')}] ` : '';
  return `${who}: ${files}${message.text}`.trim();
}

export function shortTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
