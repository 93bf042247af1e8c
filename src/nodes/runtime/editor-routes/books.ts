/**
 * Admin endpoint of books-record's editor: the organizations of the account behind a
 * zoho-config, for the organization picker. Guarded like every admin endpoint of the pack.
 */
import type { NodeAPI } from 'node-red';
import * as books from '../../../zoho/books/index';
import { isZohoConfigNode } from '../config-node';
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

/** GET /zoho-books/:configId/organizations for the editor's organization picker. */
export function registerBooksAdmin(RED: NodeAPI): void {
  const app = RED.httpAdmin as unknown as { get(path: string, ...handlers: unknown[]): void };
  if (!app || registered.has(app)) return;
  registered.add(app);
  app.get(
    '/zoho-books/:configId/organizations',
    RED.auth.needsPermission('zoho-config.read'),
    (req: Req, res: Res) => {
      const config = RED.nodes.getNode(String(req.params.configId ?? ''));
      if (!isZohoConfigNode(config)) {
        res.status(404).json({
          error: { message: 'Deploy the zoho-config node first', code: 'NOT_DEPLOYED' },
        });
        return;
      }
      Promise.resolve()
        .then(() =>
          books.listOrganizations(config.getConnection(), {
            refresh: req.query.refresh === 'true',
          }),
        )
        .then(
          (orgs) =>
            res.json({
              organizations: orgs.map((o) => ({
                organization_id: o.organization_id,
                name: o.name,
                is_default_org: o.is_default_org,
              })),
            }),
          (err: unknown) => {
            const shape = errorShape(err, config.secrets());
            res
              .status(shape.code === 'INVALID_INPUT' ? 400 : 502)
              .json({ error: { message: shape.message, code: shape.code } });
          },
        );
    },
  );
}
