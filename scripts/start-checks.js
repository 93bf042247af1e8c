/* global AbortSignal -- Node 18+ has it; the lint config lists only the common globals */
// What `npm start` checks before it touches anything: that both ports are free (and, when not,
// what answers on them, in one line), and whether the connection in .node-red-user/flows.json
// is still the untouched demo one, the only connection it may set up or point elsewhere.
const net = require('node:net');

/** True when something already listens on 127.0.0.1:port (where both servers listen). */
function portInUse(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => (err.code === 'EADDRINUSE' ? resolve(true) : reject(err)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

async function getJson(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

/** Who answers on a busy port, in a few words: a Node-RED, a Zoho sandbox or another program. */
async function whoListens(port) {
  const base = `http://127.0.0.1:${port}`;
  const settings = await getJson(`${base}/settings`);
  if (settings && typeof settings.version === 'string' && 'httpNodeRoot' in settings) {
    return `a Node-RED ${settings.version}`;
  }
  if (await getJson(`${base}/sandbox/crm/counts`)) return 'a Zoho sandbox';
  return 'another program';
}

/**
 * '' when both ports are free, else the one line that says which are busy and by what, and
 * how to pick others.
 */
async function busyPortsLine(uiPort, sandboxPort) {
  const busy = [];
  for (const [what, envName, port] of [
    ['Node-RED', 'PORT', uiPort],
    ['sandbox', 'ZOHO_SANDBOX_PORT', sandboxPort],
  ]) {
    if (await portInUse(port)) busy.push({ what, envName, port, who: await whoListens(port) });
  }
  if (busy.length === 0) return '';
  const another = busy.some((b) => b.who !== 'another program') ? ' (another `npm start`?)' : '';
  return (
    `npm start: ${busy.map((b) => `port ${b.port} (${b.what}) is in use by ${b.who}`).join('; ')}` +
    `${another}. Nothing was changed. Stop it, or choose free ports: ` +
    `${busy.map((b) => `${b.envName}=<port>`).join(' ')} npm start`
  );
}

/** The sandbox URLs npm start writes: loopback, any port. */
const DEMO_URL = /^http:\/\/127\.0\.0\.1:\d+\/?$/;

/**
 * Whether `node` is still the demo connection npm start wrote (`demo`, the examples' shared
 * zoho-config, which carries every setting of the dialog at its default): every setting the
 * node has equals the demo's, its URL a loopback sandbox on any port. A user who connected it
 * to a real account or another server changed one of them. A setting the node lacks is one a
 * flows.json written before that setting existed has no value for: the runtime reads it as
 * the default, which is the demo's.
 */
function isUntouchedDemo(node, demo) {
  if (!node || node.type !== demo.type) return false;
  if (typeof node.accountsUrl !== 'string' || !DEMO_URL.test(node.accountsUrl)) return false;
  const keys = Object.keys(node).filter((k) => k !== 'accountsUrl');
  // The editor saves a number typed in a box as a string: compare as text.
  return keys.every((k) => String(node[k] ?? '') === String(demo[k] ?? ''));
}

module.exports = { busyPortsLine, isUntouchedDemo, portInUse };
