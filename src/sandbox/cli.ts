#!/usr/bin/env node
/**
 * `zoho-sandbox`: runs the Zoho emulator on its own, for the demo and for manual testing
 * with curl or a Node-RED instance pointed at region "custom".
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT } from './accounts';
import { Sandbox } from './server';

const USAGE = `Usage: zoho-sandbox [options]
  --port <n>            port on 127.0.0.1 (default 8899, 0 = any free port)
  --latency <ms>        latency added to every response (default 0)
  --concurrency <n>     API requests in flight before 429 (default 0 = unlimited)
  --credits <n>         API credits per rolling 24 h (default 50000, 0 = unlimited)
  --token-lifetime <s>  access token lifetime in seconds (default 3600)
  -h, --help            show this help`;

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      latency: { type: 'string' },
      concurrency: { type: 'string' },
      credits: { type: 'string' },
      'token-lifetime': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const options = Object.fromEntries(
    Object.entries({
      latencyMs: num(values.latency, 'latency'),
      concurrencyLimit: num(values.concurrency, 'concurrency'),
      creditLimit: num(values.credits, 'credits'),
      tokenLifetimeSec: num(values['token-lifetime'], 'token-lifetime'),
    }).filter(([, v]) => v !== undefined),
  );
  const sandbox = new Sandbox(options);
  const url = await sandbox.start(num(values.port, 'port') ?? 8899);
  console.log(`Zoho sandbox listening on ${url}
  region "custom", URL ${url}
  client id      ${DEFAULT_CLIENT.clientId}
  client secret  ${DEFAULT_CLIENT.clientSecret}
  Self Client code: curl -X POST ${url}/sandbox/self-client -d scope=ZohoCRM.modules.ALL
Press Ctrl+C to stop.`);
  const shutdown = (): void => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  console.error(USAGE);
  process.exit(2);
});
