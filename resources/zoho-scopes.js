/**
 * The OAuth scopes the nodes of a flow need, for the zoho-config dialog's warning when the
 * connection's scopes are narrower. Plain browser JavaScript, loaded by nodes/zoho-config.html.
 *
 * A Zoho scope is service.scope_name.OPERATION (https://www.zoho.com/accounts/protocol/oauth/
 * scope.html), OPERATION one of ALL, READ, CREATE, UPDATE, DELETE; ALL covers the others.
 * CRM also takes a module: ZohoCRM.modules.leads.READ covers reads of Leads only (OAS
 * common.json lists ZohoCRM.modules.{module_API_name}.ALL). ZohoBooks.fullaccess.all covers
 * every Books scope. What each node needs is in docs/ZOHO-FACTS.md (OAuth scopes).
 */
(function () {
  'use strict';

  var CRM_RECORD_OPS = {
    get: ['READ'],
    list: ['READ'],
    search: ['READ'],
    create: ['CREATE'],
    update: ['UPDATE'],
    upsert: ['CREATE', 'UPDATE'],
    delete: ['DELETE'],
  };
  var ATTACHMENT_OPS = {
    upload: ['CREATE'],
    list: ['READ'],
    download: ['READ'],
    delete: ['DELETE'],
  };
  var BOOKS_OPS = {
    get: 'READ',
    list: 'READ',
    create: 'CREATE',
    update: 'UPDATE',
    delete: 'DELETE',
  };
  // Books entities whose scope is not named after them (unverified: docs/ZOHO-FACTS.md).
  var BOOKS_SCOPE_OF = {
    items: 'settings',
    taxes: 'settings',
    chartofaccounts: 'accountants',
    journals: 'accountants',
  };

  /** One needed scope: service, scope name, module ('' for any) and operation. */
  function need(service, name, op, module) {
    return { service: service, name: name, op: op, module: module || '' };
  }

  /** A module only when the node names one literally (not from msg). */
  function literalModule(node) {
    return (!node.moduleType || node.moduleType === 'str') && node.module ? node.module : '';
  }

  function crmModules(ops, node) {
    return (ops || ['READ']).map(function (op) {
      return need('ZohoCRM', 'modules', op, literalModule(node));
    });
  }

  /** What one node's settings need; [] for a node that can call anything (zoho-raw). */
  function needsOf(node) {
    switch (node.type) {
      case 'crm-record':
        return crmModules(CRM_RECORD_OPS[node.operation], node);
      case 'crm-attachment':
        return crmModules(ATTACHMENT_OPS[node.operation], node);
      case 'crm-coql':
        return [need('ZohoCRM', 'coql', 'READ'), need('ZohoCRM', 'modules', 'READ')];
      case 'crm-watch-in':
        return node.mode === 'poll'
          ? [need('ZohoCRM', 'modules', 'READ')]
          : [need('ZohoCRM', 'notifications', 'ALL')];
      case 'books-record': {
        var type = String(node.recordType || '');
        var name = BOOKS_SCOPE_OF[type] || type;
        return name ? [need('ZohoBooks', name, BOOKS_OPS[node.operation] || 'UPDATE')] : [];
      }
      default:
        return [];
    }
  }

  /** True when the granted scope (a string) covers the need. */
  function covers(granted, n) {
    var parts = String(granted).toLowerCase().split('.');
    if (parts.length < 3 || parts[0] !== n.service.toLowerCase()) return false;
    if (parts[0] === 'zohobooks' && parts[1] === 'fullaccess') return true;
    var op = parts[parts.length - 1];
    var module = parts.length > 3 ? parts.slice(2, -1).join('.') : '';
    if (parts[1] !== n.name.toLowerCase()) return false;
    if (module && module !== n.module.toLowerCase()) return false;
    return op === 'all' || op === n.op.toLowerCase();
  }

  function scopeText(n) {
    var parts = [n.service, n.name];
    if (n.module) parts.push(n.module);
    return parts.concat(n.op).join('.');
  }

  /**
   * The needs of the nodes in the workspace using connection `configId` that `scopesText`
   * (comma or space separated) does not cover: [{ scope, nodes: [label, …] }].
   */
  function missing(configId, scopesText) {
    var granted = String(scopesText || '')
      .split(/[\s,]+/)
      .filter(Boolean);
    var byScope = {};
    var order = [];
    RED.nodes.eachNode(function (node) {
      if (node.config !== configId) return;
      needsOf(node).forEach(function (n) {
        if (
          granted.some(function (g) {
            return covers(g, n);
          })
        )
          return;
        var key = scopeText(n);
        if (!byScope[key]) {
          byScope[key] = [];
          order.push(key);
        }
        var label = node.name || node.type;
        if (byScope[key].indexOf(label) < 0) byScope[key].push(label);
      });
    });
    return order.map(function (key) {
      return { scope: key, nodes: byScope[key] };
    });
  }

  window.ZohoScopes = { needsOf: needsOf, covers: covers, missing: missing };
})();
