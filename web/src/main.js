// The web chat client: plain DOM code, the REST API for every change, SignalR for live events.
// Client recipe (README "Real time"): remember the last sequence per conversation; on a gap or a
// reconnect fetch `messages/?after=<sequence>`; send with a clientMessageId so retries are safe.
//
// The modules: state.js is the model; each view module draws one part of the page from it and binds
// that part's controls; this file wires them: sign-in to the connection, server events to the
// handlers that apply them, and the start. Views call each other (a new message redraws the list
// and the thread), so their imports form cycles: that is safe because a module's top level only
// declares; nothing runs before this file calls it.
import './style.css';
import { catchUp } from './catch-up.js';
import { bindComposer } from './composer.js';
import { bindNewConversation, loadConversations, removeConversation, upsertConversation } from './conversations.js';
import { bindDetails } from './details.js';
import { bindMentions } from './mentions.js';
import { applyPresence } from './presence.js';
import { applyReaction, bindReactions } from './reactions.js';
import { startConnection, stopConnection } from './realtime.js';
import { applyRead, bindReceipts } from './receipts.js';
import { bindReplies } from './replies.js';
import { bindSignIn, onSession, reportError, resumeSession } from './session.js';
import { applyMessage, bindThread, closeChat } from './thread.js';
import { applyTyping } from './typing.js';

/** Server events (docs/api.md) and what each does here. */
const events = {
  'message.created': m => applyMessage(m, true),
  'message.updated': m => applyMessage(m, false),
  'message.deleted': m => applyMessage(m, false),
  'message.read': applyRead,
  'conversation.created': c => upsertConversation(c, true),
  'conversation.updated': c => upsertConversation(c, false),
  'conversation.deleted': ({ id }) => removeConversation(id),
  'typing.indicator': applyTyping,
  'reaction.added': event => applyReaction(event, true),
  'reaction.removed': event => applyReaction(event, false),
  'presence.changed': applyPresence,
};

onSession({
  signedIn() {
    startConnection({ events, reconnected: catchUp });
    loadConversations().catch(reportError);
  },
  signingOut: stopConnection,
  signedOut: closeChat,
});

bindSignIn();
bindNewConversation();
bindThread();
bindDetails();
bindComposer();
bindReceipts();
bindReplies();
bindReactions();
bindMentions();

resumeSession();
