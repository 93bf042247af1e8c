#!/usr/bin/env node
/**
 * `zoho-sandbox`: runs the Zoho emulator on its own, for the demo and for manual testing
 * with curl or a Node-RED instance pointed at region "custom".
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CLIENT, LOCATIONS } from './accounts';
import { DEFAULT_SANDBOX_PORT, describeDemo } from './demo';
import { parseOffset, zoneForOffset } from './crm/time-zone';
import { EDITIONS } from './editions';
import { defaultFamilies } from './families';
import { SANDBOX_FULL_SCOPE } from './scopes';
import { Sandbox } from './server';

const USAGE = `Usage: zoho-sandbox [options]
  --port <n>            port on 127.0.0.1 (default ${DEFAULT_SANDBOX_PORT}, 0 = any free port)
  --demo                load the demo data (CRM leads, contacts, accounts, deals; Books
                        customers and invoices), as \`npm start\` does
  --latency <ms>        every response takes at least this long (default 0)
  --concurrency <n>     API requests in flight before 429 (default 0 = unlimited)
  --credits <n>         API credits per rolling 24 h (default 50000, 0 = unlimited)
  --token-lifetime <s>  access token lifetime in seconds (default 3600)
  --edition <name>      CRM edition whose per-app concurrency caps apply and GET /org names
                        (license_details.paid_type): ${EDITIONS.join(', ')}
                        (default: none; GET /org then says enterprise)
  --users <n>           user licences GET /org names (users_license_purchased; default 10)
  --dc <location>       data centre the consent redirect names: ${LOCATIONS.join(', ')} (default us)
  --time-zone <offset>  the CRM org's time zone as a fixed offset, e.g. +05:30 or -08:00
                        (default UTC): timestamps carry it, GET /org names its zone
  -h, --help            show this help`;

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0`);
  return n;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value.toLowerCase());
  if (!found) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return found;
}

function offset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const minutes = parseOffset(value);
  if (minutes === undefined)
    throw new Error('--time-zone must be an offset such as +05:30, -08:00 or UTC');
  zoneForOffset(minutes); // refuses an offset no time zone has
  return minutes;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      latency: { type: 'string' },
      concurrency: { type: 'string' },
      credits: { type: 'string' },
      'token-lifetime': { type: 'string' },
      edition: { type: 'string' },
      users: { type: 'string' },
      dc: { type: 'string' },
      'time-zone': { type: 'string' },
      demo: { type: 'boolean' },
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
      edition: oneOf(values.edition, EDITIONS, 'edition'),
      licensedUsers: num(values.users, 'users'),
      dc: oneOf(values.dc, LOCATIONS, 'dc'),
    }).filter(([, v]) => v !== undefined),
  );
  const sandbox = new Sandbox(
    options,
    defaultFamilies({ timeZoneOffsetMinutes: offset(values['time-zone']) }),
  );
  const demo = values.demo ? sandbox.seedDemo() : undefined;
  const url = await sandbox.start(num(values.port, 'port') ?? DEFAULT_SANDBOX_PORT);
  console.log(`Zoho sandbox listening on ${url}${demo ? `\n  demo data: ${describeDemo(demo)}` : ''}
In Node-RED, the connection: data centre "Custom / sandbox", Accounts URL ${url},
  Client ID      ${DEFAULT_CLIENT.clientId}
  Client Secret  ${DEFAULT_CLIENT.clientSecret}
  then Connect (and Accept), or a Self Client grant code from
  curl -X POST ${url}/sandbox/self-client -d scope=${SANDBOX_FULL_SCOPE}
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
