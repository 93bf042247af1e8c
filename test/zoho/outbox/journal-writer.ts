/**
 * Child process of the kill -9 test: appends entries { n } to the journal given, printing n
 * once its append resolved (on disk), until it is killed; settles one in ten (printing
 * "settled n" once that is on disk), so acks are in the stream too.
 */
import { Journal } from '../../../src/zoho/core/outbox/journal';

async function main(): Promise<void> {
  const [file, from] = process.argv.slice(2);
  const j = await Journal.open(file, { maxEntries: 1e6, maxBytes: 1e9, whenFull: 'refuse' });
  const seqOf = new Map<number, number>();
  for (let n = Number(from); ; n++) {
    const { seq } = await j.append('n1', { n, pad: 'x'.repeat(n % 500) });
    seqOf.set(n, seq);
    process.stdout.write(`${n}\n`);
    if (n % 10 === 9 && seqOf.has(n - 3)) {
      await j.ack([seqOf.get(n - 3)!]);
      process.stdout.write(`settled ${n - 3}\n`);
    }
  }
}

void main();
