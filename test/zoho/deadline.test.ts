import assert from 'node:assert/strict';
import { ZohoError } from '../../src/zoho/core/errors';
import { trickle, useHostileZoho } from './hostile-server';

describe('deadline: a trickling answer is cut and its slot freed', function () {
  this.timeout(20_000);
  const rig = useHostileZoho();

  it('one byte every 200 ms with a 500 ms silence timeout is cut at the 1 s deadline', async () => {
    rig.zoho.api = trickle(200);
    const conn = rig.connect({ timeoutMs: 500, deadlineMs: 1000, maxConcurrency: 1 });
    await conn.check();
    const started = Date.now();
    const error = await conn
      .request({ method: 'GET', path: '/v8/Leads', retry: { maxRetries: 0 } })
      .then(
        () => assert.fail('a trickle never completes'),
        (e: ZohoError) => e,
      );
    const took = Date.now() - started;
    assert.equal(error.code, 'TIMEOUT');
    assert.match(error.message, /within 1000 ms/);
    assert.ok(took >= 950 && took < 3000, `took ${took} ms`);
    // The one slot is free again: a well-behaved answer gets through.
    rig.zoho.api = (_req, res) => res.end('{"data":[]}');
    assert.equal((await conn.request({ method: 'GET', path: '/v8/Leads' })).status, 200);
  });
});
