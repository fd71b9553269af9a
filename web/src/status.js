// The connection state shown in the top bar.
import { $ } from './dom.js';
import { state } from './state.js';

const labels = {
  'signed-out': 'Signed out',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  offline: 'Offline, retrying…',
};

export function showConnectionState(value) {
  state.connectionState = value;
  const node = $('connection');
  node.dataset.state = value;
  node.textContent = labels[value];
}
