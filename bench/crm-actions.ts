/**
 * Issue 17's call counts, through the client library against the sandbox (each call a real
 * HTTP request on loopback): tag 1,000 records (Zoho's add_tags takes 100 a call), add one note
 * to 500 records (100 notes a call, Zoho's v4 create-notes page) and list a related list of
 * 5,000 records (200 a page). The field-filter figures of crm-watch-in are printed by
 * test/nodes/crm-watch-in-fields.test.ts, which runs them in a real Node-RED.
 */
import { accountsFamily } from '../src/sandbox/accounts';
import { crmFamily } from '../src/sandbox/crm/index';
import { Sandbox } from '../src/sandbox/server';
import { ZohoConnection } from '../src/zoho/core/connection';
import { addNotes } from '../src/zoho/crm/notes';
import { collectRelatedRecords } from '../src/zoho/crm/related';
import { addTags } from '../src/zoho/crm/tags';
import { ALL_SCOPES } from '../test/helpers/sandbox';
import { Figure, figure } from './lib';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

export async function crmActionCalls(): Promise<Figure[]> {
  const crm = crmFamily({ sensors: false });
  const sb = new Sandbox({ creditLimit: 0 }, [accountsFamily(), crm]);
  await sb.start();
  const conn = new ZohoConnection({
    region: 'custom',
    accountsUrl: sb.url,
    ...CLIENT,
    refreshToken: sb.accounts.issueRefreshToken({ clientId: CLIENT.clientId, scope: ALL_SCOPES }),
    maxConcurrency: 5,
  });
  const calls = (pattern: RegExp): number =>
    sb.requests.filter((r) => r.path.startsWith('/crm/') && pattern.test(r.path)).length;
  try {
    const leads = crm.store
      .insert(
        'Leads',
        Array.from({ length: 1000 }, (_, i) => ({ Last_Name: `L${i}`, Company: 'Bench' })),
      )
      .map((r) => r.id);
    sb.clearRequests();
    const tagged = await addTags(conn, 'Leads', leads, ['bench']);
    const tagCalls = calls(/\/actions\/add_tags$/);

    sb.clearRequests();
    const parents = leads.slice(0, 500).map((id) => ({ module: 'Leads', id }));
    const noted = await addNotes(conn, parents, { title: 'Bench', content: 'one note each' });
    const noteCalls = calls(/\/Notes$/);

    const account = crm.store.insert('Accounts', [{ Account_Name: 'Bench' }])[0].id;
    crm.store.insert(
      'Contacts',
      Array.from({ length: 5000 }, (_, i) => ({
        Last_Name: `C${i}`,
        Account_Name: { id: account },
      })),
    );
    sb.clearRequests();
    const ref = { module: 'Accounts', recordId: account, relatedList: 'Contacts' };
    const related = await collectRelatedRecords(conn, ref, { fields: 'Last_Name' });
    const relatedCalls = calls(/\/Accounts\/\d+\/Contacts$/);
    return [
      figure('crm.tag_1000_records_calls', tagCalls, 'calls', '<= 10'),
      figure('crm.tag_1000_records_succeeded', tagged.succeeded, 'records', '= 1000'),
      figure('crm.note_on_500_records_calls', noteCalls, 'calls', '<= 5'),
      figure('crm.note_on_500_records_succeeded', noted.succeeded, 'records', '= 500'),
      figure('crm.related_list_5000_records_calls', relatedCalls, 'calls', '<= 25'),
      figure('crm.related_list_5000_records_listed', related.records.length, 'records', '= 5000'),
    ];
  } finally {
    conn.close();
    await sb.stop();
  }
}
