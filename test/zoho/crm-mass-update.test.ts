/**
 * Mass update's job wait (crm/mass-update.ts) with a fake clock: doubling waits up to the cap, a
 * FAILED job and the time limit as errors, an answer without a job, Zoho's refusal in a 2xx.
 */
import * as assert from 'node:assert/strict';
import { massUpdate } from '../../src/zoho/crm/mass-update';
import { ZohoError } from '../../src/zoho/core/errors';
import { FakeClock } from '../helpers/clock';
import { StubRequester } from './stub-requester';

const scheduled = {
  data: [
    {
      status: 'success',
      code: 'SUCCESS',
      message: 'mass update scheduled successfully',
      details: { job_id: '42' },
    },
  ],
};
const job = (Status: string) => ({
  data: [{ Status, Total_Count: 2, Updated_Count: 2, Not_Updated_Count: 0, Failed_Count: 0 }],
});

describe('crm mass update: the job wait', function () {
  const poll = { firstMs: 1000, maxMs: 4000, timeoutMs: 60_000 };

  it('asks with doubling waits up to the cap until COMPLETED; counts returned', async function () {
    const clock = new FakeClock();
    const conn = new StubRequester((_s, i) =>
      i === 0 ? { data: scheduled } : { data: job(i < 5 ? 'RUNNING' : 'COMPLETED') },
    );
    const seen: string[] = [];
    const result = await massUpdate(conn, 'Leads', {
      fields: { Lead_Status: 'New' },
      ids: ['1', '2'],
      poll,
      clock,
      onStatus: (s) => seen.push(s),
    });
    assert.deepEqual(result, {
      jobId: '42',
      status: 'COMPLETED',
      total: 2,
      updated: 2,
      notUpdated: 0,
      failed: 0,
    });
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 4000, 4000]);
    assert.deepEqual(seen, ['RUNNING', 'COMPLETED']);
    assert.deepEqual(conn.calls[1].query, { job_id: '42' });
  });

  it('a FAILED job and a job past the time limit are errors; the wait is bounded', async function () {
    const failed = new StubRequester((_s, i) => ({ data: i === 0 ? scheduled : job('FAILED') }));
    await assert.rejects(
      massUpdate(failed, 'Leads', { fields: { A: 1 }, ids: '1', poll, clock: new FakeClock() }),
      (e: ZohoError) => e.code === 'MASS_UPDATE_FAILED',
    );
    const clock = new FakeClock();
    const stuck = new StubRequester((_s, i) => ({ data: i === 0 ? scheduled : job('RUNNING') }));
    await assert.rejects(
      massUpdate(stuck, 'Leads', { fields: { A: 1 }, ids: '1', poll, clock }),
      (e: ZohoError) => e.kind === 'timeout',
    );
    assert.ok(stuck.calls.length < 25, `${stuck.calls.length} calls`);
  });

  it('"record updated" without a job id ends at once; an error entry in a 2xx is thrown', async function () {
    const done = new StubRequester(() => ({
      data: {
        data: [{ status: 'success', code: 'SUCCESS', message: 'record updated', details: {} }],
      },
    }));
    const result = await massUpdate(done, 'Leads', { fields: { A: 1 }, ids: ['1', '2', '2'] });
    assert.equal(result.updated, 2, 'duplicate ids sent once');
    assert.deepEqual(done.calls[0].body, { data: [{ A: 1 }], ids: ['1', '2'] });
    const refused = new StubRequester(() => ({
      data: { data: [{ status: 'error', code: 'INVALID_DATA', message: 'invalid data' }] },
    }));
    await assert.rejects(
      massUpdate(refused, 'Leads', { fields: { A: 1 }, ids: '1' }),
      (e: ZohoError) => e.code === 'INVALID_DATA',
    );
  });

  it('refuses an id among the fields and a bad over-write before sending', async function () {
    const conn = new StubRequester();
    await assert.rejects(
      massUpdate(conn, 'Leads', { fields: { id: '1' }, ids: '1' }),
      (e: ZohoError) => e.kind === 'input' && e.param === 'fields',
    );
    await assert.rejects(
      massUpdate(conn, 'Leads', { fields: { A: 1 }, ids: '1', overWrite: 'yes' as never }),
      (e: ZohoError) => e.kind === 'input' && e.param === 'overWrite',
    );
    assert.equal(conn.calls.length, 0);
  });
});
