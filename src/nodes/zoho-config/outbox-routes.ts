/**
 * The editor's view of a connection's outbox, and what the user can do about it.
 *
 *   GET  /zoho-config/:id/outbox          (zoho-config.read)   size, bytes, oldest, last error,
 *                                                               per node
 *   POST /zoho-config/:id/outbox/retry    (zoho-config.write)  probe Zoho and replay now
 *   POST /zoho-config/:id/outbox/discard  (zoho-config.write)  drop one node's waiting messages
 *                                                               ({ node }) or all of them ({})
 *
 * Only a deployed connection has an outbox (GET answers { deployed: false } for one that is not). A connection whose journal is neither open nor on
 * disk answers an empty outbox without creating one. The last error passes through the
 * connection's secret scrubber: it is Zoho's or the network's text, shown in a browser.
 */
import type { NodeAPI } from 'node-red';
import type { Outbox } from '../../zoho/core/outbox/outbox';
import { redactText } from '../../zoho/core/redact';
import {
  AdminRequest,
  AdminRoute,
  RouteError,
  bodyOf,
  deployedConfig,
  isNodeId,
} from '../runtime/admin-http';
import { isZohoConfigNode, type ZohoConfigNode } from '../runtime/config-node';
import { translator } from '../runtime/i18n';
import { hasOutbox } from './outbox';

interface NodeRow {
  id: string;
  name: string;
  type: string;
  /** The node is no longer deployed: nothing will send its messages until it is again. */
  orphan: boolean;
  count: number;
  bytes: number;
  oldest?: number;
  ageMs?: number;
  merged: number;
}

export interface OutboxView {
  count: number;
  bytes: number;
  oldest?: number;
  ageMs?: number;
  lastError?: string;
  merged: number;
  /** The outbox's limits (none while the connection has no outbox). */
  limits?: { maxMessages: number; maxBytes: number; whenFull: string };
  nodes: NodeRow[];
}

export function outboxRoutes(RED: NodeAPI, userDir: () => string | undefined): AdminRoute[] {
  const t = translator(RED, 'zoho-config');
  /** The deployed config's outbox, or undefined when it has none to show. */
  const outboxOf = async (req: AdminRequest) => {
    const config = deployedConfig(RED, req.params.id);
    const outbox = hasOutbox(req.params.id, userDir()) ? await config.outbox() : undefined;
    return { config, outbox };
  };
  return [
    {
      method: 'get',
      path: '/zoho-config/:id/outbox',
      permission: 'read',
      handle: async (req, res) => {
        res.set('Cache-Control', 'no-store');
        // A connection not deployed yet (a new node in the editor) has no outbox: said as such,
        // not as an error the browser would log.
        if (!isZohoConfigNode(RED.nodes.getNode(req.params.id))) return { deployed: false };
        const { config, outbox } = await outboxOf(req);
        return { deployed: true, ...view(RED, config, outbox) };
      },
    },
    {
      method: 'post',
      path: '/zoho-config/:id/outbox/retry',
      permission: 'write',
      handle: async (req) => {
        const { config, outbox } = await outboxOf(req);
        outbox?.flush();
        return view(RED, config, outbox);
      },
    },
    {
      method: 'post',
      path: '/zoho-config/:id/outbox/discard',
      permission: 'write',
      handle: async (req) => {
        const node = bodyOf(req).node;
        if (node !== undefined && !isNodeId(node))
          throw new RouteError(400, 'INVALID_INPUT', t('admin.notNodeId'));
        const { config, outbox } = await outboxOf(req);
        const discarded = outbox ? await outbox.discard(node) : 0;
        return { discarded, ...view(RED, config, outbox) };
      },
    },
  ];
}

function view(RED: NodeAPI, config: ZohoConfigNode, outbox: Outbox | undefined): OutboxView {
  const now = Date.now();
  const limits = outbox?.limits;
  const state = outbox?.state();
  const nodes = (outbox?.ownerStates() ?? []).map((s): NodeRow => {
    const node = RED.nodes.getNode(s.owner) as { name?: string; type?: string } | null;
    return {
      id: s.owner,
      name: typeof node?.name === 'string' ? node.name : '',
      type: typeof node?.type === 'string' ? node.type : '',
      orphan: !node,
      count: s.count,
      bytes: s.bytes,
      oldest: s.oldest,
      ageMs: s.oldest === undefined ? undefined : Math.max(0, now - s.oldest),
      merged: s.merged,
    };
  });
  return {
    count: state?.count ?? 0,
    bytes: state?.bytes ?? 0,
    oldest: state?.oldest,
    ageMs: state?.oldest === undefined ? undefined : Math.max(0, now - state.oldest),
    lastError: state?.lastError && redactText(state.lastError, config.secrets()),
    merged: state?.merged ?? 0,
    limits: limits && {
      maxMessages: limits.maxEntries,
      maxBytes: limits.maxBytes,
      whenFull: limits.whenFull,
    },
    nodes,
  };
}
