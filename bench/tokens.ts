/** Token economy: Zoho caps and throttles token requests, so the pack must make as few as it can. */
import { Sandbox } from '../src/sandbox/server';
import { MemoryTokenStore } from '../src/zoho/core/auth';
import { ZohoConnection } from '../src/zoho/core/connection';
import { Figure, figure } from './lib';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };

export async function concurrentExpiredToken(calls = 500): Promise<Figure[]> {
  const sb = new Sandbox();
  await sb.start();
  try {
    const refreshToken = sb.accounts.issueRefreshToken({
      clientId: CLIENT.clientId,
      scope: 'ZohoCRM.org.READ',
    });
    const tokenStore = new MemoryTokenStore({
      accessToken: 'expired',
      expiresAt: Date.now() - 1,
      apiDomain: sb.url,
    });
    const conn = new ZohoConnection({
      region: 'custom',
      accountsUrl: sb.url,
      ...CLIENT,
      refreshToken,
      tokenStore,
      maxConcurrency: 10,
    });
    const started = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: calls }, () => conn.request({ method: 'GET', path: '/v8/org' })),
    );
    const elapsed = Date.now() - started;
    conn.close();
    const failed = results.filter((r) => r.status === 'rejected').length;
    return [
      figure(
        'tokens.requests_for_500_concurrent_calls_expired',
        sb.stats.tokenRequests.refresh_token,
        'requests',
        '= 1',
      ),
      figure('tokens.failed_calls_of_500', failed, 'calls', '= 0'),
      figure('tokens.500_calls_wall', elapsed, 'ms'),
    ];
  } finally {
    await sb.stop();
  }
}
