/**
 * Admin endpoints for the editor's module and field pickers:
 *   GET /zoho-crm/:configId/modules          -> { modules: [{ api_name, label, … }] }
 *   GET /zoho-crm/:configId/fields?module=X  -> { fields: [{ api_name, label, data_type, … }] }
 * Guarded by zoho-config.read; answers come from the deployed config node's connection,
 * cached per connection for a few minutes. Registered once per admin app.
 */
import type { NodeAPI } from 'node-red';
import { isZohoConfigNode } from '../config-node';
import { cachedFields, cachedModules } from '../../../zoho/crm/metadata-cache';
import { errorShape } from '../errors';

const registered = new WeakSet<object>();

interface Req {
  params: Record<string, string>;
  query: Record<string, unknown>;
}
interface Res {
  status(code: number): Res;
  json(body: unknown): void;
}

export function registerCrmAdmin(RED: NodeAPI): void {
  const app = RED.httpAdmin as unknown as {
    get(path: string, ...handlers: unknown[]): void;
  };
  if (!app || registered.has(app)) return;
  registered.add(app);
  const read = RED.auth.needsPermission('zoho-config.read');

  const handle =
    (work: (req: Req) => Promise<unknown>) =>
    (req: Req, res: Res): void => {
      const config = RED.nodes.getNode(String(req.params.configId ?? ''));
      if (!isZohoConfigNode(config)) {
        res.status(404).json({
          error: { message: 'Deploy the zoho-config node first', code: 'NOT_DEPLOYED' },
        });
        return;
      }
      const secrets = config.secrets();
      Promise.resolve()
        .then(() => work(req))
        .then(
          (body) => res.json(body),
          (err: unknown) => {
            const shape = errorShape(err, secrets);
            const code = shape.code === 'INVALID_INPUT' || shape.status === 400 ? 400 : 502;
            res.status(code).json({ error: { message: shape.message, code: shape.code } });
          },
        );
    };

  const connOf = (req: Req) => {
    const config = RED.nodes.getNode(req.params.configId);
    if (!isZohoConfigNode(config)) throw new Error('Deploy the zoho-config node first');
    return config.getConnection();
  };

  app.get(
    '/zoho-crm/:configId/modules',
    read,
    handle(async (req) => ({ modules: await cachedModules(connOf(req)) })),
  );
  app.get(
    '/zoho-crm/:configId/fields',
    read,
    handle(async (req) => ({
      fields: await cachedFields(connOf(req), String(req.query.module ?? '')),
    })),
  );
}
