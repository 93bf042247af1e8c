/**
 * What a flow node sees of a zoho-config node. Flow nodes never touch tokens: they ask the
 * config for its connection once per message and send requests through it.
 *
 *   const config = RED.nodes.getNode(def.config) as ZohoConfigNode | null;
 *   const off = config?.onStatus((s) => node.status(connectionNodeStatus(s, sharedTranslator(RED))));
 *   node.on('close', () => off?.());
 *   // per message (the connection is replaced when the user reconnects, so do not cache it):
 *   const res = await config.getConnection().request({ product: 'crm', method: 'GET', path: '/v8/org' });
 */
import type { Node } from 'node-red';
import type { ConnectionStatus, ZohoConnection } from '../../zoho/core/connection';
import type { Outbox } from '../../zoho/core/outbox/outbox';
import type { Environment, Region } from '../../zoho/core/regions';
import type { ZohoConfigCredentials } from '../zoho-config/token-store';
import type { CheckpointStore, PollLease } from '../../zoho/crm/change-poller';
import type { ChannelShare } from '../../zoho/crm/channel-fleet';

export interface ZohoConfigNode extends Node<ZohoConfigCredentials> {
  readonly region: Region;
  readonly accountsUrl?: string;
  /** CRM's org environment; production for flows saved before it existed. */
  readonly environment: Environment;
  /** Custom region only: the user allowed a plain-http accounts URL beyond loopback. */
  readonly insecureHttp: boolean;
  readonly scopes: string[];
  /** Zoho Books default organization id, '' when not set. */
  readonly organizationId: string;
  readonly maxConcurrency: number;
  readonly creditBackoff?: number;
  /** Largest JSON answer accepted, in bytes; undefined: the client's default. */
  readonly maxResponseBytes?: number;
  /**
   * The node's one ZohoConnection, created on first use. Throws a ZohoError (INVALID_INPUT)
   * when the node is misconfigured, e.g. region "custom" without an accounts URL.
   */
  getConnection(): ZohoConnection;
  /** Current connection status; never throws, never makes a request. */
  connectionStatus(): ConnectionStatus;
  /** Calls `listener` on every status change (rate-limited, token refresh failed, …); returns unsubscribe. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Makes sure a valid access token exists (refreshing only if the stored one is stale). */
  checkToken(): Promise<ConnectionStatus>;
  /**
   * The connection's outbox (opened on first use, kept across redeploys). Rejects with a
   * ZohoError (OUTBOX_UNAVAILABLE) when the runtime has no user directory to keep it in.
   */
  outbox(): Promise<Outbox>;
  /** Every secret this node knows, for scrubbing text that leaves the pack. */
  secrets(): string[];
  /**
   * With shared state (Redis): the lease and checkpoint store that make one poller of the watch
   * node `nodeId` across every instance; undefined when the connection shares nothing.
   * `local` is the node's own store, used while Redis is unreachable.
   */
  sharedPoll?(
    nodeId: string,
    intervalMs: number,
    local: CheckpointStore,
  ): (PollLease & CheckpointStore) | undefined;
  /**
   * With shared state (Redis): the record, keeper lease and membership that make one webhook
   * channel of the watch node `nodeId` across every instance; undefined when nothing is shared.
   */
  sharedChannel?(nodeId: string): ChannelShare | undefined;
  /** Internal: credentials changed through the admin endpoints; drop the connection. */
  reloadCredentials(): void;
}

/** Is this config node a zoho-config (and not some other node id the user pasted)? */
export function isZohoConfigNode(node: unknown): node is ZohoConfigNode {
  return Boolean(
    node &&
    (node as { type?: string }).type === 'zoho-config' &&
    typeof (node as ZohoConfigNode).getConnection === 'function',
  );
}
