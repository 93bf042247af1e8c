/**
 * The editor's Books organization picker (books-record): the organizations of the account
 * behind a deployed zoho-config.
 *   GET /zoho-books/:configId/organizations[?refresh=true] -> { organizations: [...] }
 */
import type { NodeAPI } from 'node-red';
import * as books from '../../../zoho/books/index';
import { AdminRoute, deployedConfig } from '../admin-http';

export function booksEditorRoutes(RED: NodeAPI): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/zoho-books/:configId/organizations',
      permission: 'read',
      metered: true,
      secrets: (req) => deployedConfig(RED, req.params.configId).secrets(),
      handle: async (req) => {
        const config = deployedConfig(RED, req.params.configId);
        const orgs = await books.listOrganizations(config.getConnection(), {
          refresh: req.query.refresh === 'true',
        });
        return {
          organizations: orgs.map((o) => ({
            organization_id: o.organization_id,
            name: o.name,
            is_default_org: o.is_default_org,
          })),
        };
      },
    },
  ];
}
