/** How a flow node shows its zoho-config connection's state in the editor (node.status). */
import type { NodeStatus } from 'node-red';
import type { ConnectionStatus } from '../../zoho/core/connection';
import type { Translate } from './i18n';

function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString();
}

/** Token failures with a text of their own; any other code is named in a generic one. */
const REFRESH_FAILURES: Readonly<Record<string, string>> = {
  TOKEN_REVOKED: 'status.tokenRevoked',
  INVALID_CLIENT: 'status.invalidClient',
  TOKEN_THROTTLED: 'status.tokenThrottled',
};

/**
 * A Node-RED status for a connection status, worded through the shared catalog: red ring when
 * the connection needs the user (not connected, token refresh failed), yellow ring while
 * rate-limited, empty when fine.
 */
export function connectionNodeStatus(status: ConnectionStatus, shared: Translate): NodeStatus {
  switch (status.state) {
    case 'not-connected':
      return { fill: 'red', shape: 'ring', text: shared('status.notConnected') };
    case 'error': {
      const code = status.error?.code;
      const key = code ? REFRESH_FAILURES[code] : undefined;
      const text = key
        ? shared(key)
        : code
          ? shared('status.refreshFailedCode', { code })
          : shared('status.refreshFailed');
      return { fill: 'red', shape: 'ring', text };
    }
    case 'rate-limited':
      return {
        fill: 'yellow',
        shape: 'ring',
        text: status.waitUntil
          ? shared('status.rateLimitedUntil', { time: clock(status.waitUntil) })
          : shared('status.rateLimited'),
      };
    default:
      return {};
  }
}
