/**
 * Issue 15's outage test, time-scaled to fit CI: 10,000 writes arrive over a "10 minute" outage
 * (60 s here) at a real Node-RED process that is killed with SIGKILL three times while they
 * stream in; afterwards the sandbox holds each record exactly once and every acknowledged
 * message ended in exactly one output or one caught error. (A torn journal tail: the journal's
 * own tests; coalescing 1,000 updates of 10 records and a full outbox: crm-record-outbox.)
 */
import assert from 'node:assert/strict';
import { runOutage } from './helpers/outage';

describe('outbox: an outage with three kill -9 restarts (real Node-RED process)', function () {
  this.timeout(300_000);

  it('10,000 writes: each record in Zoho exactly once, every acknowledged message ended once', async () => {
    const r = await runOutage({ messages: 10_000, kills: 3, outageMs: 60_000 });
    const summary = JSON.stringify({ ...r, truncatedLogs: r.truncatedLogs.length });
    assert.equal(r.kills, 3, summary);
    assert.equal(r.lost, 0, `lost: ${summary}`);
    assert.equal(r.duplicated, 0, `duplicated: ${summary}`);
    assert.ok(r.acknowledged >= r.messages, summary);
    assert.equal(r.unended, 0, `acknowledged but not ended once: ${summary}`);
    assert.equal(r.endedTwice, 0, summary);
    assert.equal(r.caught, 0, summary);
    // Replayed as upserts of 100 records a call.
    assert.ok(r.drainRecords >= r.messages, summary);
    assert.ok(r.drainCalls <= Math.ceil(r.drainRecords / 100) + 5, summary);
  });
});
