/**
 * Token requests across redeploys: a deploy replaces the zoho-config node, and the new one must
 * reuse the access token the old one stored in the credentials instead of asking Zoho again.
 */
import type { ZohoConfigNode } from '../src/nodes/runtime/config-node';
import { Sandbox } from '../src/sandbox/server';
import { ALL_SCOPES, probeFamily } from '../test/helpers/sandbox';
import { defaultFamilies } from '../src/sandbox/families';
import { freshUserDir, helper, loadFlow, startRed, stopRed, unloadFlow } from '../test/helpers/red';
import { Figure, figure } from './lib';

const CLIENT = { clientId: '1000.SANDBOXCLIENT', clientSecret: 'sandbox-secret' };
const ID = 'bench-config';

export async function redeploysInsideTokenLifetime(redeploys = 10): Promise<Figure[]> {
  const sb = new Sandbox({}, [...defaultFamilies(), probeFamily()]);
  await sb.start();
  await startRed();
  freshUserDir();
  try {
    const refreshToken = sb.accounts.issueRefreshToken({
      clientId: CLIENT.clientId,
      scope: ALL_SCOPES,
    });
    const configNode = (name: string) => ({
      id: ID,
      type: 'zoho-config',
      name,
      region: 'custom',
      accountsUrl: sb.url,
    });
    await loadFlow([configNode('first')], { [ID]: { ...CLIENT, refreshToken } });
    const call = () =>
      (helper.getNode(ID) as unknown as ZohoConfigNode)
        .getConnection()
        .request({ method: 'GET', path: '/v8/__probe' });
    await call();
    const before = sb.stats.tokenRequests.total;
    for (let i = 0; i < redeploys; i++) {
      // What the editor sends on a full deploy: the form's credentials, the secret as __PWRD__.
      await helper.setFlows(
        [
          {
            ...configNode(`deploy ${i}`),
            credentials: { clientId: CLIENT.clientId, clientSecret: '__PWRD__' },
          },
        ],
        'full',
      );
      await call();
    }
    const after = sb.stats.tokenRequests.total;
    await unloadFlow();
    // A restart: a fresh runtime from the credentials file as saved before, same user dir.
    await loadFlow([configNode('restarted')], { [ID]: { ...CLIENT, refreshToken } });
    await call();
    const afterRestart = sb.stats.tokenRequests.total;
    await unloadFlow();
    return [
      figure(`tokens.requests_across_${redeploys}_redeploys`, after - before, 'requests', '= 0'),
      figure('tokens.requests_after_restart', afterRestart - after, 'requests', '= 0'),
    ];
  } finally {
    await stopRed();
    await sb.stop();
  }
}
