/**
 * The node-case table: every flow node of the pack and every operation it has, as the
 * reliability suites drive them. Adding a node to the suites = adding one entry here: its
 * editor properties, its operations (a valid message, the request a fault is aimed at, and
 * what a write changes in the sandbox's store), and its generator of bad input.
 *
 * crm-bulk has one case per operation (its operation is the editor's alone, never msg's), each
 * a node of its own; see `crmBulk` for where their faults are aimed.
 *
 * crm-watch-in (change triggers) is not in this table: it is an input node, started by changes
 * in the sandbox instead of messages, with no msg in and no done(). Its suites load it through
 * watch-rig.ts on the same Rig: watch.reliability.test.ts (forged webhook callbacks, the channel
 * token as a canary, leaks of a stopped watch flow) and watch-faults.reliability.test.ts (poll
 * mode under the fault kinds, channel registration failing on deploy).
 */
import { DEFAULT_USERS, minified } from '../../src/sandbox/crm/store';
import { httpNodeUrl } from '../helpers/red';
import * as bad from './bad-input';
import { ORG, type NodeCase, type OperationCase, type Rig } from './rig';

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

const BULK_READ = '/crm/bulk/v8/read';
const BULK_WRITE = '/crm/bulk/v8/write';
let bulkSeq = 0;

/**
 * A bulk job is four requests: upload (writes), job create, status poll, result download. The
 * table aims each operation's faults at one request, so a bulk operation is listed once per
 * request it is tried under (same message, fault aimed elsewhere), and only where a request
 * has a failure of its own: the insert's upload (another host), job create (a POST whose retry
 * could import the file twice: the insert's record count shows it) and download (Zoho's
 * absolute URL); the update's job create too; the read's poll and its streamed download; the
 * upsert's status read after Zoho's callback. Each costs every fault kind, about 7 s.
 */
function bulkOps(
  operation: string,
  requests: ('upload' | 'create' | 'poll' | 'download')[],
  prepare: OperationCase['prepare'],
): OperationCase[] {
  const base = operation === 'read' ? BULK_READ : BULK_WRITE;
  const matches = {
    upload: { method: 'POST', path: '/content/crm/v8/upload' },
    create: { method: 'POST', path: base },
    poll: { method: 'GET', path: new RegExp(`^${base}/\\d+$`) },
    download: { method: 'GET', path: new RegExp(`^${base}/\\d+/result$`) },
  };
  return requests.map((r) => ({ name: `${operation} (${r})`, match: matches[r], prepare }));
}

const bulkCase = (
  operation: string,
  props: Record<string, unknown>,
  operations: OperationCase[],
  badInputs: NodeCase['badInputs'],
): NodeCase => ({
  type: `crm-bulk ${operation}`,
  nodeType: 'crm-bulk',
  props: { operation, module: '', moduleType: 'str', ...props },
  msgDefaults: { module: 'Leads' },
  operations,
  badInputs,
});

// One message per export (a chunk larger than any store the suites build), of the leads this
// case made: a soak's store of thousands would make every export a large one.
const crmBulkRead = bulkCase(
  'read',
  { output: 'chunks', chunkSize: '50000' },
  bulkOps(
    'read',
    ['poll', 'download'],
    (rig) => (
      lead(rig, 'Exported'),
      { msg: { fields: 'Last_Name,Email', criteria: { Last_Name: 'Exported' } } }
    ),
  ),
  (g, n) => bad.bulkReadInputs(g, n),
);

const crmBulkInsert = bulkCase(
  'insert',
  {},
  bulkOps('insert', ['upload', 'create', 'download'], (rig) => ({
    msg: {
      payload: [
        { Last_Name: 'Bulk A' },
        { Last_Name: 'Bulk B', Email: `bulk${++bulkSeq}@example.com` },
      ],
    },
    effect: leads(rig),
    delta: 2,
  })),
  (g, n) => bad.bulkWriteInputs(g, n, 'insert'),
);

const crmBulkUpdate = bulkCase(
  'update',
  {},
  bulkOps('update', ['create'], (rig) => ({
    msg: { payload: [{ id: lead(rig), Last_Name: 'Bulk changed' }] },
    effect: leads(rig),
    delta: 0,
  })),
  (g, n) => bad.bulkWriteInputs(g, n, 'update'),
);

// Zoho's callback (the node's Public URL) ends this one's waits: the callback route is driven
// too. A getter: the test runtime's URL is known once Node-RED runs.
const crmBulkUpsert: NodeCase = {
  ...bulkCase(
    'upsert',
    {},
    bulkOps('upsert', ['poll'], (rig) => ({
      msg: { payload: [{ Last_Name: 'Bulk up', Email: `bulk${++bulkSeq}@example.com` }] },
      effect: leads(rig),
      delta: 1,
    })),
    (g, n) => bad.bulkWriteInputs(g, n, 'upsert'),
  ),
  get props() {
    return {
      operation: 'upsert',
      module: '',
      moduleType: 'str',
      findBy: 'Email',
      publicUrl: httpNodeUrl(''),
      publicUrlType: 'str',
    };
  },
};

/**
 * Every flow node of the pack. zoho-config has no input: its operations (token refresh,
 * revocation, throttling) are exercised through every node here, and its admin endpoints by
 * the fuzz and security suites.
 */
export const NODE_CASES: NodeCase[] = [
  crmRecord,
  crmCoql,
  crmAttachment,
  booksRecord,
  zohoRaw,
  crmBulkRead,
  crmBulkInsert,
  crmBulkUpdate,
  crmBulkUpsert,
];
