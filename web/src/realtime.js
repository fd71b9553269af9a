// The SignalR connection: one per signed-in window, kept up for as long as the page is open.
import * as signalR from '@microsoft/signalr';
import { signOut } from './session.js';
import { state } from './state.js';
import { showConnectionState } from './status.js';

/**
 * Connects for the signed-in user. `events` maps event names to handlers; `reconnected` runs after
 * every reconnect, when events may have been missed.
 */
export function startConnection({ events, reconnected }) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${state.base}/api/messaging`, { accessTokenFactory: () => state.token })
    // Keep trying for as long as the page is open: quickly at first, then every 5 s.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => Math.min(500 * 2 ** ctx.previousRetryCount, 5000) })
    .configureLogging(signalR.LogLevel.None)
    .build();
  state.connection = connection;

  for (const [name, handler] of Object.entries(events)) connection.on(name, handler);

  connection.onreconnecting(() => showConnectionState('reconnecting'));
  connection.onreconnected(() => {
    showConnectionState('online');
    reconnected();
  });
  connection.onclose(() => {
    if (state.connection === connection && !state.signingOut) {
      showConnectionState('offline');
      setTimeout(() => connect(connection, 1, reconnected), 1000);
    }
  });
  connect(connection, 0, reconnected);
}

export async function stopConnection() {
  const connection = state.connection;
  state.connection = null;
  if (connection) await connection.stop().catch(() => {});
}

/** Whether a client-to-server method can go over the hub right now. */
export const isConnected = () => state.connection?.state === signalR.HubConnectionState.Connected;

async function connect(connection, attempt, reconnected) {
  if (state.connection !== connection) return;
  showConnectionState(attempt === 0 ? 'connecting' : 'offline');
  try {
    await connection.start();
    showConnectionState('online');
    if (attempt > 0) reconnected();
  } catch (error) {
    if (state.connection !== connection) return;
    if (error?.statusCode === 401 || /401/.test(error?.message ?? '')) {
      signOut('The token is not accepted. Sign in again.');
      return;
    }
    showConnectionState('offline');
    setTimeout(() => connect(connection, attempt + 1, reconnected), Math.min(1000 * 2 ** attempt, 5000));
  }
}
