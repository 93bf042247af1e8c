/** How a flow node shows its zoho-config connection's state in the editor (node.status). */
import type { NodeStatus } from 'node-red';
import type { ConnectionStatus } from '../../zoho/core/connection';
import type { CreditWarningDetails } from '../../zoho/core/credit-allowance';
import type { Translate } from './i18n';

function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString();
}

/** Token failures with a text of their own; any other code is named in a generic one. */
const REFRESH_FAILURES: Readonly<Record<string, string>> = {
  TOKEN_REVOKED: 'status.tokenRevoked',
  INVALID_CLIENT: 'status.invalidClient',
  TOKEN_THROTTLED: 'status.tokenThrottled',
  RECONNECT_NEEDED: 'status.reconnect',
};

/** What a connection that works says about itself: a warning, else nothing. */
export function connectionWarningText(status: ConnectionStatus, shared: Translate): string {
  const code = status.warning?.code;
  if (!code) return '';
  if (code === 'UNTRUSTED_API_DOMAIN') return shared('status.apiDomainReplaced');
  if (code === 'CREDIT_ESTIMATE') return creditBudgetText(status.warning?.details, shared);
  if (code === 'SHARED_STATE_DOWN') return shared('status.sharedStateDown');
  return shared('status.connectionWarning', { code });
}

/** Where creditBackoff's allowance comes from: Zoho's formula for the org, or the pack's guess. */
function creditBudgetText(details: unknown, shared: Translate): string {
  const credit = details as CreditWarningDetails | undefined;
  if (credit?.source !== 'formula') return shared('status.creditEstimate');
  return shared('status.creditFormula', {
    credits: credit.credits.toLocaleString('en-US'),
    edition: credit.edition,
    count: credit.users,
  });
}

/**
 * A Node-RED status for a connection status, worded through the shared catalog: red ring when
 * the connection needs the user (not connected, token refresh failed), yellow ring while
 * rate-limited or when it works with a warning (its api_domain replaced), empty when fine.
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
    default: {
      const warning = connectionWarningText(status, shared);
      return warning ? { fill: 'yellow', shape: 'ring', text: warning } : {};
    }
  }
}
