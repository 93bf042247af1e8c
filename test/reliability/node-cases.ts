/**
 * The node-case table: every flow node of the pack and every operation it has, as the
 * reliability suites drive them. Adding a node to the suites = adding one entry here: its
 * editor properties, its operations (a valid message, the request a fault is aimed at, and
 * what a write changes in the sandbox's store), and its generator of bad input.
 *
 * crm-watch-in (change triggers) is not in this table: it is an input node, started by changes
 * in the sandbox instead of messages, with no msg in and no done(). Its suites load it through
 * watch-rig.ts on the same Rig: watch.reliability.test.ts (forged webhook callbacks, the channel
 * token as a canary, leaks of a stopped watch flow) and watch-faults.reliability.test.ts (poll
 * mode under the fault kinds, channel registration failing on deploy).
 */
import { DEFAULT_USERS, minified } from '../../src/sandbox/crm/store';
import * as bad from './bad-input';
import { ORG, type NodeCase, type Rig } from './rig';

export type { NodeCase, OperationCase, Prepared } from './rig';

const lead = (rig: Rig, name = 'Doe'): string =>
  rig.crm.store.insert('Leads', [
    { Last_Name: name, Email: `${name.toLowerCase()}@example.com` },
  ])[0].id;

const attach = (rig: Rig, recordId: string): string =>
  rig.crm.store.addAttachment({
    module: 'Leads',
    recordId,
    fileName: 'note.txt',
    contentType: 'text/plain',
    data: Buffer.from('hello'),
    linkUrl: null,
    owner: minified(DEFAULT_USERS[0]),
  }).id;

const contact = (rig: Rig, name = 'Acme'): string =>
  String(rig.books.store.insert(ORG, 'contacts', [{ contact_name: name }])[0].contact_id);

const leads = (rig: Rig) => () => rig.crm.store.count('Leads');
const contacts = (rig: Rig) => () => rig.books.store.count(ORG, 'contacts');

// Operation, module, record type and organization are left to msg (an empty field, or "set by
// msg"): the generated bad inputs vary them, which a node set to its own would ignore.
const crmRecord: NodeCase = {
  type: 'crm-record',
  props: { module: '', moduleType: 'str' },
  msgDefaults: { module: 'Leads' },
  operations: [
    {
      name: 'get',
      match: { method: 'GET', path: /^\/crm\/v8\/Leads\/\d+$/ },
      prepare: (rig) => ({ msg: { operation: 'get', recordId: lead(rig) } }),
    },
    {
      name: 'list',
      match: { method: 'GET', path: /^\/crm\/v8\/Leads$/ },
      prepare: (rig) => (lead(rig), { msg: { operation: 'list', fields: 'Last_Name,Email' } }),
    },
    {
      name: 'search',
      match: { method: 'GET', path: '/crm/v8/Leads/search' },
      prepare: (rig) => (
        lead(rig),
        { msg: { operation: 'search', criteria: { Last_Name: 'Doe' } } }
      ),
    },
    {
      name: 'create',
      match: { method: 'POST', path: /^\/crm\/v8\/Leads$/ },
      prepare: (rig) => ({
        msg: { operation: 'create', payload: { Last_Name: 'Created' } },
        effect: leads(rig),
        delta: 1,
      }),
    },
    {
      name: 'update',
      match: { method: 'PUT', path: /^\/crm\/v8\/Leads$/ },
      prepare: (rig) => ({
        msg: { operation: 'update', recordId: lead(rig), payload: { Last_Name: 'Changed' } },
        effect: leads(rig),
        delta: 0,
      }),
    },
    {
      name: 'upsert',
      match: { method: 'POST', path: '/crm/v8/Leads/upsert' },
      prepare: (rig) => ({
        msg: {
          operation: 'upsert',
          payload: { Last_Name: 'Upserted', Email: `u${Date.now()}@example.com` },
          duplicateCheckFields: 'Email',
        },
        effect: leads(rig),
        delta: 1,
      }),
    },
    {
      name: 'delete',
      match: { method: 'DELETE', path: /^\/crm\/v8\/Leads/ },
      prepare: (rig) => ({
        msg: { operation: 'delete', recordId: lead(rig) },
        effect: leads(rig),
        delta: -1,
      }),
    },
  ],
  badInputs: (g, n) => bad.crmRecordInputs(g, n),
};

const crmCoql: NodeCase = {
  type: 'crm-coql',
  props: { query: 'select Last_Name, Email from Leads where Last_Name = :name limit 10' },
  operations: [
    {
      name: 'query',
      match: { method: 'POST', path: '/crm/v8/coql' },
      prepare: (rig) => (lead(rig), { msg: { params: { name: 'Doe' } } }),
    },
  ],
  badInputs: (g, n) => bad.coqlInputs(g, n),
};

const crmAttachment: NodeCase = {
  type: 'crm-attachment',
  props: { module: '', moduleType: 'str' },
  msgDefaults: { module: 'Leads' },
  operations: [
    {
      name: 'upload',
      match: { method: 'POST', path: /^\/crm\/v8\/Leads\/\d+\/Attachments$/ },
      prepare: (rig) => {
        const recordId = lead(rig);
        return {
          msg: { operation: 'upload', recordId, payload: Buffer.from('file'), filename: 'a.txt' },
          effect: () => rig.crm.store.attachmentsOf(recordId).length,
          delta: 1,
        };
      },
    },
    {
      name: 'list',
      match: { method: 'GET', path: /^\/crm\/v8\/Leads\/\d+\/Attachments$/ },
      prepare: (rig) => {
        const recordId = lead(rig);
        attach(rig, recordId);
        return { msg: { operation: 'list', recordId } };
      },
    },
    {
      name: 'download',
      match: { method: 'GET', path: /^\/crm\/v8\/Leads\/\d+\/Attachments\/\d+$/ },
      prepare: (rig) => {
        const recordId = lead(rig);
        return { msg: { operation: 'download', recordId, attachmentId: attach(rig, recordId) } };
      },
    },
    {
      name: 'delete',
      match: { method: 'DELETE', path: /^\/crm\/v8\/Leads\/\d+\/Attachments\/\d+$/ },
      prepare: (rig) => {
        const recordId = lead(rig);
        return {
          msg: { operation: 'delete', recordId, attachmentId: attach(rig, recordId) },
          effect: () => rig.crm.store.attachmentsOf(recordId).length,
          delta: -1,
        };
      },
    },
  ],
  badInputs: (g, n) => bad.attachmentInputs(g, n),
};

const booksRecord: NodeCase = {
  type: 'books-record',
  // The node's own per-organization window would hold a soak back to 100 a minute.
  props: { recordType: 'msg', organizationId: '', rateLimit: 10_000 },
  msgDefaults: { recordType: 'contacts', organizationId: ORG },
  operations: [
    {
      name: 'get',
      match: { method: 'GET', path: /^\/books\/v3\/contacts\/\d+$/ },
      prepare: (rig) => ({ msg: { operation: 'get', recordId: contact(rig) } }),
    },
    {
      name: 'list',
      match: { method: 'GET', path: /^\/books\/v3\/contacts$/ },
      prepare: (rig) => (contact(rig), { msg: { operation: 'list' } }),
    },
    {
      name: 'create',
      match: { method: 'POST', path: /^\/books\/v3\/contacts$/ },
      prepare: (rig) => ({
        msg: { operation: 'create', payload: { contact_name: 'New Co' } },
        effect: contacts(rig),
        delta: 1,
      }),
    },
    {
      name: 'update',
      match: { method: 'PUT', path: /^\/books\/v3\/contacts\/\d+$/ },
      prepare: (rig) => ({
        msg: { operation: 'update', recordId: contact(rig), payload: { contact_name: 'Renamed' } },
        effect: contacts(rig),
        delta: 0,
      }),
    },
    {
      name: 'delete',
      match: { method: 'DELETE', path: /^\/books\/v3\/contacts\/\d+$/ },
      prepare: (rig) => ({
        msg: { operation: 'delete', recordId: contact(rig) },
        effect: contacts(rig),
        delta: -1,
      }),
    },
    {
      name: 'action',
      match: { method: 'POST', path: /^\/books\/v3\/contacts\/\d+\/inactive$/ },
      prepare: (rig) => ({ msg: { operation: 'inactive', recordId: contact(rig) } }),
    },
  ],
  badInputs: (g, n) => bad.booksInputs(g, n),
};

const zohoRaw: NodeCase = {
  type: 'zoho-raw',
  props: { product: 'crm', method: 'GET', url: '/crm/v8/Leads', urlType: 'str' },
  operations: [
    {
      name: 'GET',
      match: { method: 'GET', path: /^\/crm\/v8\/Leads$/ },
      prepare: (rig) => (lead(rig), { msg: { query: { fields: 'Last_Name,Email' } } }),
    },
    {
      name: 'POST',
      match: { method: 'POST', path: /^\/crm\/v8\/Leads$/ },
      prepare: (rig) => ({
        msg: { method: 'POST', payload: { data: [{ Last_Name: 'Raw' }] } },
        effect: leads(rig),
        delta: 1,
      }),
    },
    {
      name: 'books GET',
      match: { method: 'GET', path: /^\/books\/v3\/contacts$/ },
      prepare: (rig) => (
        contact(rig),
        { msg: { product: 'books', url: '/books/v3/contacts', query: { organization_id: ORG } } }
      ),
    },
  ],
  badInputs: (g, n) => bad.rawInputs(g, n),
};

/**
 * Every flow node of the pack. zoho-config has no input: its operations (token refresh,
 * revocation, throttling) are exercised through every node here, and its admin endpoints by
 * the fuzz and security suites.
 */
export const NODE_CASES: NodeCase[] = [crmRecord, crmCoql, crmAttachment, booksRecord, zohoRaw];
