/**
 * Issue 13 item 12: the editor's metadata routes with adminAuth on, called by a read-only user
 * while Zoho fails. Each call used to reach Zoho (30 reads cost 30 calls' credits); failures are
 * now remembered for 30 s and each user is rate-limited.
 */
import assert from 'node:assert/strict';
import { helper } from '../helpers/red';
import { figure } from './figures';
import { NODE_CASES } from './node-cases';
import { Rig } from './rig';

const MODULES = '/crm/v8/settings/modules';

describe('reliability: editor metadata routes under a failing Zoho', function () {
  this.timeout(120_000);
  const adminAuth = {
    type: 'credentials',
    users: [],
    tokens: (token: string) =>
      Promise.resolve(
        token.startsWith('viewer-')
          ? { username: token, permissions: 'read' }
          : token === 'admin'
            ? { username: 'admin', permissions: '*' }
            : null,
      ),
  };
  const rig = Rig.use({ settings: { adminAuth } });
  const read = (token: string, path: string) =>
    helper.request().get(path).set('Authorization', `Bearer ${token}`);
  afterEach(() => rig.sandbox.faults.clear());
  const zohoCalls = () => rig.sandbox.requests.filter((r) => r.path === MODULES).length;

  it('30 failing module reads by a read-only user cost one Zoho call', async function () {
    await rig.load(NODE_CASES.filter((c) => c.type === 'crm-record'));
    rig.sandbox.faults.inject({
      kind: 'status',
      status: 400,
      times: Infinity,
      match: { method: 'GET', path: MODULES },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push((await read('viewer-1', '/zoho-crm/c1/modules')).status);
    figure('attack.picker_failures.reads', statuses.length);
    figure('attack.picker_failures.zoho_calls_per_30', zohoCalls());
    assert.equal(zohoCalls(), 1);
    assert.deepEqual(new Set(statuses), new Set([400]));
  });

  it('a read-only user is limited to 20 failures a minute: 60 distinct failing reads reach Zoho 20 times', async function () {
    await rig.load(NODE_CASES.filter((c) => c.type === 'crm-record'));
    rig.sandbox.faults.inject({
      kind: 'status',
      status: 400,
      times: Infinity,
      match: { method: 'GET', path: '/crm/v8/settings' },
    });
    rig.sandbox.clearRequests();
    const statuses: number[] = [];
    // A different module each time: no remembered failure answers for them.
    for (let i = 0; i < 60; i++) {
      statuses.push((await read('viewer-2', `/zoho-crm/c1/fields?module=M${i}`)).status);
    }
    const fieldCalls = rig.sandbox.requests.filter((r) =>
      r.path.startsWith('/crm/v8/settings/'),
    ).length;
    const limited = statuses.filter((s) => s === 429).length;
    figure('attack.picker_rate.reads', statuses.length);
    figure('attack.picker_rate.zoho_calls_per_60', fieldCalls);
    assert.ok(fieldCalls <= 20, `${fieldCalls} Zoho calls`);
    assert.equal(limited, 40);
    // Another user is not held back by the first one's limit.
    const other = await read('viewer-3', '/zoho-crm/c1/fields?module=Other');
    assert.equal(other.status, 400);
  });
});
