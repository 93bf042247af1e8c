/**
 * Zoho CRM's per-org, per-app concurrency caps by edition in the emulator, the heavy APIs' own
 * cap, and the pack's default concurrency against the lowest cap.
 */
import assert from 'node:assert/strict';
import { EDITION_CONCURRENCY, EDITIONS, HEAVY_CONCURRENCY } from '../../src/sandbox/editions';
import { DEFAULT_CONCURRENCY } from '../../src/zoho/core/limits';
import { listRecords } from '../../src/zoho/crm/read';
import { authHeader, issueTokens, sandboxConnection, useSandbox } from '../helpers/sandbox';

describe('sandbox: edition concurrency caps', function () {
  const sb = useSandbox({ creditLimit: 0 });

  /** Fires `n` calls at once; answers their statuses and the codes of the refusals. */
  async function burst(n: number, token: string, coql = false) {
    const calls = Array.from({ length: n }, () =>
      fetch(`${sb.url}/crm/v8/${coql ? 'coql' : 'Leads?fields=Last_Name'}`, {
        method: coql ? 'POST' : 'GET',
        headers: { ...authHeader(token), 'Content-Type': 'application/json' },
        body: coql
          ? JSON.stringify({ select_query: 'select Last_Name from Leads where id is not null' })
          : undefined,
      }).then(async (res) => ({ status: res.status, text: await res.text() })),
    );
    const results = await Promise.all(calls);
    const refused = results.filter((r) => r.status === 429);
    for (const r of refused) assert.equal(JSON.parse(r.text).code, 'TOO_MANY_REQUESTS');
    return { admitted: n - refused.length, refused: refused.length };
  }

  for (const edition of EDITIONS) {
    it(`${edition}: ${EDITION_CONCURRENCY[edition]} calls in flight per app, the rest 429 TOO_MANY_REQUESTS`, async () => {
      sb.sandbox.configure({ edition, latencyMs: 300 });
      const cap = EDITION_CONCURRENCY[edition];
      const result = await burst(cap + 3, issueTokens(sb.sandbox).accessToken);
      assert.deepEqual(result, { admitted: cap, refused: 3 });
    });
  }

  it('the cap is per app: another client has its own', async () => {
    sb.sandbox.configure({ edition: 'free', latencyMs: 300 });
    const other = sb.sandbox.accounts.addClient({ clientId: '1000.OTHERAPP', clientSecret: 's' });
    const otherToken = sb.sandbox.accounts.issueAccessToken({
      clientId: other.clientId,
      scope: 'ZohoCRM.modules.ALL',
    });
    const [mine, theirs] = await Promise.all([
      burst(5, issueTokens(sb.sandbox).accessToken),
      burst(5, otherToken),
    ]);
    assert.deepEqual([mine.refused, theirs.refused], [0, 0]);
  });

  it(`heavy APIs (COQL) have a cap of ${HEAVY_CONCURRENCY} even on Ultimate`, async () => {
    sb.sandbox.configure({ edition: 'ultimate', latencyMs: 300 });
    const result = await burst(HEAVY_CONCURRENCY + 2, issueTokens(sb.sandbox).accessToken, true);
    assert.deepEqual(result, { admitted: HEAVY_CONCURRENCY, refused: 2 });
  });

  it('no edition set: no edition cap', async () => {
    sb.sandbox.configure({ latencyMs: 300 });
    assert.equal((await burst(30, issueTokens(sb.sandbox).accessToken)).refused, 0);
  });

  it('the pack’s default concurrency stays within the Free edition: 40 reads, no 429', async () => {
    assert.ok(DEFAULT_CONCURRENCY <= EDITION_CONCURRENCY.free);
    sb.sandbox.configure({ edition: 'free', latencyMs: 50 });
    const conn = sandboxConnection(sb.sandbox);
    await Promise.all(
      Array.from({ length: 40 }, () => listRecords(conn, 'Leads', { fields: ['Last_Name'] })),
    );
    assert.equal(sb.sandbox.stats.throttled, 0);
    assert.equal(sb.sandbox.stats.maxConcurrent, DEFAULT_CONCURRENCY);
  });
});
