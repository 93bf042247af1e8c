/**
 * The editor's CRM module and field pickers (crm-record, crm-attachment, crm-watch-in):
 *   GET /zoho-crm/:configId/modules          -> { modules: [{ api_name, label, … }] }
 *   GET /zoho-crm/:configId/fields?module=X  -> { fields: [{ api_name, label, data_type, … }] }
 *   GET /zoho-crm/:configId/related-lists?module=X -> { relatedLists: [{ api_name, label }] }
 *   GET /zoho-crm/:configId/from-addresses   -> { fromAddresses: [{ email, user_name, … }] }
 * Answers come from the deployed config node's connection, cached per connection for a few
 * minutes. Registered by zoho-config, so the pickers work whichever CRM nodes are enabled.
 */
import type { NodeAPI } from 'node-red';
import { textOf } from '../../../zoho/core/validate';
import {
  cachedFields,
  cachedFromAddresses,
  cachedModules,
  cachedRelatedLists,
} from '../../../zoho/crm/metadata-cache';
import { AdminRequest, AdminRoute, deployedConfig } from '../admin-http';

export function crmEditorRoutes(RED: NodeAPI): AdminRoute[] {
  const connectionOf = (req: AdminRequest) =>
    deployedConfig(RED, req.params.configId).getConnection();
  const secrets = (req: AdminRequest) => deployedConfig(RED, req.params.configId).secrets();
  return [
    {
      method: 'get',
      path: '/zoho-crm/:configId/modules',
      permission: 'read',
      metered: true,
      secrets,
      handle: async (req) => ({ modules: await cachedModules(connectionOf(req)) }),
    },
    {
      method: 'get',
      path: '/zoho-crm/:configId/fields',
      permission: 'read',
      metered: true,
      secrets,
      handle: async (req) => ({
        fields: await cachedFields(connectionOf(req), textOf(req.query.module)),
      }),
    },
    {
      method: 'get',
      path: '/zoho-crm/:configId/related-lists',
      permission: 'read',
      metered: true,
      secrets,
      handle: async (req) => ({
        relatedLists: await cachedRelatedLists(connectionOf(req), textOf(req.query.module)),
      }),
    },
    {
      method: 'get',
      path: '/zoho-crm/:configId/from-addresses',
      permission: 'read',
      metered: true,
      secrets,
      handle: async (req) => ({ fromAddresses: await cachedFromAddresses(connectionOf(req)) }),
    },
  ];
}
