/**
 * Wall time running `scale` times faster from `origin` (epoch ms), for a test to live an hour
 * of Zoho's token lifetimes in seconds. Loaded into a Node-RED child with `--require` (the env
 * variables below say how), and called in the test process for the sandbox's `now`, so both
 * sides read one clock. Only Date.now moves: monotonic time (waits, leases) stays real.
 */
export const ORIGIN_ENV = 'ZOHO_TEST_TIME_ORIGIN';
export const SCALE_ENV = 'ZOHO_TEST_TIME_SCALE';

const realNow = Date.now.bind(Date);

export function scaledNow(origin: number, scale: number): () => number {
  return () => origin + (realNow() - origin) * scale;
}

const origin = Number(process.env[ORIGIN_ENV]);
const scale = Number(process.env[SCALE_ENV]);
if (origin > 0 && scale > 0) Date.now = scaledNow(origin, scale);
