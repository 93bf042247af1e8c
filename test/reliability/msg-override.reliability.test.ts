/**
 * Issue 13 item 12: a message carrying a stray msg.operation (and other targets) reaches nodes
 * set to read. Node-RED's convention: a msg overrides a property only when the node is set to
 * take it from msg, so none of these messages may write or delete anything.
 */
import assert from 'node:assert/strict';
import { figure } from './figures';
import type { NodeCase } from './rig';
import { Rig, contractBreach } from './rig';

const ORG = '10234695';
const WRITES = ['create', 'update', 'upsert', 'delete', 'upload', 'void', 'email', 'explode'];

/** Three nodes set to *list*, each with its own module / record type / organization. */
const listers: NodeCase[] = [
  {
    type: 'crm-record',
    props: { operation: 'list', module: 'Leads', moduleType: 'str', fields: 'Last_Name' },
    operations: [],
    badInputs: () => [],
  },
  {
    type: 'crm-attachment',
    props: { operation: 'list', module: 'Leads', moduleType: 'str', recordId: 'rid' },
    operations: [],
    badInputs: () => [],
  },
  {
    type: 'books-record',
    props: { operation: 'list', recordType: 'contacts', organizationId: ORG, rateLimit: 10_000 },
    operations: [],
    badInputs: () => [],
  },
];

describe('reliability: stray msg overrides', function () {
  this.timeout(120_000);
  const rig = Rig.use();

  it('a stray msg.operation on nodes set to list writes and deletes nothing', async function () {
    const lead = rig.crm.store.insert('Leads', [{ Last_Name: 'Keep' }])[0];
    const contact = rig.books.store.insert(ORG, 'contacts', [{ contact_name: 'Keep' }])[0];
    await rig.load(listers);
    let sent = 0;
    let writes = 0;
    let breaches = 0;
    for (const node of listers) {
      for (const operation of WRITES) {
        const o = await rig.exec(node.type, {
          operation,
          module: 'Contacts',
          recordType: 'invoices',
          recordId: lead.id,
          organizationId: '999',
          payload: [lead.id, { Last_Name: 'Injected', contact_name: 'Injected' }],
        });
        sent++;
        if (contractBreach(o)) breaches++;
        // Token calls are POSTs too: only the API's own requests count.
        writes += o.requests.filter(
          (r) => r.method !== 'GET' && !r.path.startsWith('/oauth'),
        ).length;
      }
    }
    figure('attack.stray_operation.messages', sent);
    figure('attack.stray_operation.writes_or_deletes', writes);
    assert.equal(breaches, 0);
    assert.equal(writes, 0);
    assert.ok(rig.crm.store.get('Leads', lead.id), 'the lead is still there');
    assert.equal(rig.books.store.count(ORG, 'contacts'), 1, String(contact.contact_id));
  });
});
