/**
 * The OAuth scopes the nodes of a flow need, for the zoho-config dialog's warning when the
 * connection's scopes are narrower. Plain browser JavaScript, loaded by nodes/zoho-config.html
 * after catalog.js: what each operation needs and whether a granted scope covers it come from
 * the pack's one scope list, src/zoho/core/scopes.ts (window.ZohoPack.scopes); this file only
 * maps a node's settings to its operations.
 */
(function () {
  'use strict';

  /**
   * Read when used, not when loaded: Node-RED inserts a node's script files as async scripts, so
   * catalog.js may run after this file (it runs before the dialog's inline script).
   */
  function packScopes() {
    return window.ZohoPack.scopes;
  }

  /** One needed scope: service, scope name, module ('' for any) and operation. */
  function need(service, name, op, module) {
    return { service: service, name: name, op: op, module: module || '' };
  }

  function copy(n) {
    return need(n.service, n.name, n.op, n.module);
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
    var SCOPES = packScopes();
    switch (node.type) {
      case 'crm-record':
        // Users and metadata read settings or users, not the module's records; send mail has
        // a scope of its own.
        var own = SCOPES.crm.metadata[node.operation] || SCOPES.crm.recordActions[node.operation];
        if (own) {
          return own.map(function (n) {
            // ZohoCRM.send_mail.leads.CREATE covers a Leads node as send_mail.all does.
            var needed = copy(n);
            if (needed.module === 'all') needed.ownModule = literalModule(node);
            return needed;
          });
        }
        return crmModules(SCOPES.crm.records[node.operation], node);
      case 'crm-attachment':
        return crmModules(SCOPES.crm.attachments[node.operation], node);
      case 'crm-coql':
        return SCOPES.crm.coql.map(copy);
      case 'crm-watch-in':
        return (node.mode === 'poll' ? SCOPES.crm.poll : SCOPES.crm.watch).map(copy);
      case 'crm-bulk': {
        var bulkOp = node.operation || 'read';
        return crmModules(SCOPES.crm.bulk[bulkOp], node).concat(
          (SCOPES.crm.bulkJobs[bulkOp] || []).map(copy),
        );
      }
      case 'books-record': {
        var books = SCOPES.books;
        var type = String(node.recordType || '');
        var name = books.scopeOfEntity[type] || type;
        var op = books.operations[node.operation] || books.actions;
        return name ? [need('ZohoBooks', name, op)] : [];
      }
      case 'books-watch-in':
        // Watching reads each chosen type's list.
        return String(node.entities || '')
          .split(',')
          .filter(Boolean)
          .map(function (entity) {
            return need('ZohoBooks', SCOPES.books.scopeOfEntity[entity] || entity, 'READ');
          });
      default:
        return [];
    }
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
            return packScopes().covers(g, n);
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

  window.ZohoScopes = { needsOf: needsOf, missing: missing };
})();
