/** How a flow node shows its zoho-config connection's state in the editor (node.status). */
import type { NodeStatus } from 'node-red';
import type { ConnectionStatus } from '../../zoho/core/connection';

function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString();
}

/**
 * A Node-RED status for a connection status: red ring when the connection needs the user
 * (not connected, token refresh failed), yellow ring while rate-limited, empty when fine.
 */
export function connectionNodeStatus(status: ConnectionStatus): NodeStatus {
  switch (status.state) {
    case 'not-connected':
      return { fill: 'red', shape: 'ring', text: 'not connected: connect in zoho-config' };
    case 'error': {
      const code = status.error?.code;
      const text =
        code === 'TOKEN_REVOKED'
          ? 'token revoked: reconnect in zoho-config'
          : code === 'INVALID_CLIENT'
            ? 'client id/secret rejected'
            : code === 'TOKEN_THROTTLED'
              ? 'token refresh throttled by Zoho'
              : `token refresh failed${code ? ` (${code})` : ''}`;
      return { fill: 'red', shape: 'ring', text };
    }
    case 'rate-limited':
      return {
        fill: 'yellow',
        shape: 'ring',
        text: status.waitUntil ? `rate-limited until ${clock(status.waitUntil)}` : 'rate-limited',
      };
    default:
      return {};
  }
}
