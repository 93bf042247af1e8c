/**
 * The outside attack of issue 13, replayed against the client library with a hostile "Zoho" on
 * 127.0.0.1: each case asserts the pack holds and records a figure of what got through.
 */
import assert from 'node:assert/strict';
import type { ConnectionOptions } from '../../src/zoho/core/connection';
import { listAll } from '../../src/zoho/crm/read';
import {
  SCOPE_MISMATCH,
  answer401,
  endlessBody,
  endlessPages,
  failingCalls,
  hostileApiDomains,
  largeAnswer,
  trickle,
  useHostileZoho,
} from '../zoho/hostile-server';
import { figure } from './figures';

const MB = 1024 * 1024;

/**
 * Runs `work` while sampling the heap and external memory; the peak above the start, in MB.
 * Buffers are counted once: Node's `arrayBuffers` is a part of `external` (process.memoryUsage
 * docs), so adding both, as this did before, counted every byte of a body twice.
 */
async function peakGrowthMb(work: () => Promise<unknown>): Promise<number> {
  (global as { gc?: () => void }).gc?.();
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  const start = used();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.round(((Math.max(peak, used()) - start) / MB) * 10) / 10;
}

describe('reliability: attacks from a hostile Zoho', function () {
  this.timeout(120_000);
  const rig = useHostileZoho('1000.ATTACKCLIENT');
  const connect = (extra?: Partial<ConnectionOptions>) => rig.connect(extra);

  it('api_domain: no foreign or insecure api_domain is ever used', async () => {
    const domains = hostileApiDomains(rig.evil.url);
    let accepted = 0;
    for (const apiDomain of domains) {
      rig.zoho.apiDomain = apiDomain;
      const conn = connect();
      await conn.request({ method: 'GET', path: '/v8/org' });
      if (conn.auth.current()?.apiDomain !== rig.zoho.url) accepted++;
    }
    accepted += rig.evil.requests.length;
    figure('attack.api_domain.hostile_values', domains.length);
    figure('attack.api_domain.foreign_accepted', accepted);
    assert.equal(accepted, 0);
  });

  it('401 storm: 20 scope-mismatch answers cause no refresh and leave the connection green', async () => {
    rig.zoho.api = (_req, res) => answer401(res, SCOPE_MISMATCH);
    const conn = connect();
    const errors = await failingCalls(conn, 20);
    const refreshes = rig.zoho.tokenRequests - 1;
    figure('attack.scope_mismatch.refreshes_per_20', refreshes);
    figure('attack.scope_mismatch.connection_red', conn.status().state === 'connected' ? 0 : 1);
    assert.equal(refreshes, 0);
    assert.ok(errors.every((e) => e.kind === 'scope'));
  });

  it('endless body: memory stays bounded by the default limits (API and token answers)', async () => {
    const sent = { bytes: 0 };
    rig.zoho.api = endlessBody(sent);
    const conn = connect();
    const codes: string[] = [];
    const apiPeak = await peakGrowthMb(() =>
      Promise.all(
        [1, 2, 3].map(() =>
          conn.request({ method: 'GET', path: '/v8/Leads' }).catch((e: { code: string }) => {
            codes.push(e.code);
          }),
        ),
      ),
    );
    rig.zoho.token = endlessBody(sent);
    const tokenPeak = await peakGrowthMb(() =>
      connect()
        .check()
        .then((s) => codes.push(s.error?.code ?? 'none')),
    );
    figure('attack.endless_body.sent_mb', Math.round(sent.bytes / MB));
    figure('attack.endless_body.peak_growth_mb_3_calls', apiPeak);
    figure('attack.endless_body.peak_growth_mb_token', tokenPeak);
    assert.deepEqual(codes, Array(4).fill('RESPONSE_TOO_LARGE'));
    // Three answers cut as their running total passes 32 MiB: no more than the bytes read.
    assert.ok(apiPeak < 3 * 32 * 1.25, `peak growth ${apiPeak} MB`);
  });

  it('large answer: three valid 24 MiB answers, under the limit, stay within a few copies each', async () => {
    rig.zoho.api = largeAnswer(24);
    const conn = connect();
    await conn.check();
    const sizes: number[] = [];
    const peak = await peakGrowthMb(() =>
      Promise.all(
        [1, 2, 3].map(() =>
          conn
            .request<{ data: unknown[] }>({ method: 'GET', path: '/v8/Leads' })
            .then((r) => sizes.push(r.data.data.length)),
        ),
      ),
    );
    figure('attack.large_answer.peak_growth_mb_3x24mb', peak);
    assert.equal(sizes.length, 3);
    // Per answer: its chunks, the joined bytes, the text and the parsed records (~4 x 24 MiB),
    // with room for when the collector runs.
    assert.ok(peak < 3 * 24 * 5, `peak growth ${peak} MB`);
  });

  it('trickle: five answers of one byte every 2 s are all cut at their 5 s deadline', async () => {
    rig.zoho.api = trickle(2000);
    const conn = connect({ timeoutMs: 4000, deadlineMs: 5000, maxConcurrency: 5 });
    await conn.check();
    let pending = 5;
    const calls = Array.from({ length: 5 }, () =>
      conn
        .request({ method: 'GET', path: '/v8/Leads', retry: { maxRetries: 0 } })
        .catch((e: { code: string }) => e.code)
        .finally(() => pending--),
    );
    await new Promise((r) => setTimeout(r, 6500));
    figure('attack.trickle.pending_past_deadline', pending);
    const codes = await Promise.all(calls);
    assert.equal(pending, 0);
    assert.deepEqual(codes, Array(5).fill('TIMEOUT'));
  });

  it('endless paging: always more_records with a fresh token, at the default ceilings', async () => {
    rig.zoho.api = endlessPages(200, { pad: 200 });
    const conn = connect();
    let truncated = false;
    let code = 'none';
    const peak = await peakGrowthMb(() =>
      listAll(conn, 'Leads', { fields: ['Last_Name'] }).then(
        (r) => (truncated = r.truncated),
        (e: { code: string }) => (code = e.code),
      ),
    );
    figure('attack.endless_paging.pages_requested', rig.zoho.requests.length);
    figure('attack.endless_paging.peak_growth_mb', peak);
    figure('attack.endless_paging.outcome', truncated ? 'truncated' : code);
    assert.ok(rig.zoho.requests.length <= 500);
    assert.ok(truncated || code === 'RESULT_TOO_LARGE');
  });
});
