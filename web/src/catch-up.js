// The client recipe after a reconnect (README "Real time"): nothing missed stays missing.
import { sendEntry } from './composer.js';
import { loadConversations } from './conversations.js';
import { forgetPresence } from './presence.js';
import { scheduleMarkRead } from './receipts.js';
import { reportError } from './session.js';
import { state } from './state.js';
import { catchUpThread } from './thread.js';

/** The conversation list again, every missed message of the loaded threads, unsent messages, presence. */
export async function catchUp() {
  forgetPresence();
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
