/**
 * A streaming ZIP reader (PKWARE APPNOTE local-file-header layout): entries are read front to
 * back as the bytes arrive, never buffered whole, so a Bulk Read result of any size keeps memory
 * flat. Handles stored and deflated entries, with sizes in the local header or (bit 3) in a data
 * descriptor after a deflated entry, whose end the inflater itself finds. Zip64 is refused.
 */
import { createInflateRaw } from 'node:zlib';
import { crc32 } from './crc32';
import { ZohoError } from './errors';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DESCRIPTOR = 0x08074b50;
/** Input fed to the inflater at a time: bounds what one step can expand to (deflate ≤ 1032:1). */
const FEED = 16 * 1024;

export interface ZipEntryChunk {
  /** The entry's name (UTF-8 or CP437 read as latin1). */
  name: string;
  data: Buffer;
}

const bad = (message: string) =>
  new ZohoError({ code: 'BAD_ZIP', kind: 'zoho', message: `Zoho's ZIP file: ${message}` });

/** Pulls exact byte counts from an async byte source, with put-back. */
class ByteReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private readonly it: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    const next = await this.it.next();
    if (next.done) return false;
    this.buffered.push(next.value);
    this.size += next.value.length;
    return true;
  }

  /** Exactly n bytes, or undefined at a clean end before any. */
  async exact(n: number): Promise<Buffer | undefined> {
    while (this.size < n) {
      if (!(await this.fill())) {
        if (this.size === 0) return undefined;
        throw bad('the file ends in the middle of an entry');
      }
    }
    return this.take(n);
  }

  /** Between 1 and max bytes. */
  async some(max: number): Promise<Buffer> {
    if (this.size === 0 && !(await this.fill())) throw bad('the file ends inside an entry');
    return this.take(Math.min(max, this.buffered[0].length));
  }

  unshift(buf: Buffer): void {
    if (buf.length === 0) return;
    this.buffered.unshift(buf);
    this.size += buf.length;
  }

  async drain(): Promise<void> {
    this.buffered = [];
    this.size = 0;
    while (!(await this.it.next()).done);
  }

  private take(n: number): Buffer {
    const first = this.buffered[0];
    if (first.length >= n) {
      this.size -= n;
      if (first.length === n) this.buffered.shift();
      else this.buffered[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const joined = Buffer.concat(this.buffered);
    this.buffered = joined.length > n ? [joined.subarray(n)] : [];
    this.size -= n;
    return joined.subarray(0, n);
  }
}

/** Each entry's bytes as they inflate, entry after entry. */
export async function* unzipStream(source: AsyncIterable<Buffer>): AsyncGenerator<ZipEntryChunk> {
  const reader = new ByteReader(source);
  for (;;) {
    const head = await reader.exact(4);
    if (!head) throw bad('no end of central directory');
    const sig = head.readUInt32LE(0);
    if (sig === CENTRAL || sig === END) break;
    if (sig !== LOCAL) throw bad('not a ZIP file, or a damaged one');
    const h = (await reader.exact(26))!;
    const flags = h.readUInt16LE(2);
    const method = h.readUInt16LE(4);
    let crc = h.readUInt32LE(10);
    const packed = h.readUInt32LE(14);
    let size = h.readUInt32LE(18);
    const nameBytes = (await reader.exact(h.readUInt16LE(22) + h.readUInt16LE(24)))!;
    const name = nameBytes
      .subarray(0, h.readUInt16LE(22))
      .toString(flags & 0x800 ? 'utf8' : 'latin1');
    if (flags & 0x1) throw bad(`${name} is encrypted`);
    if (packed === 0xffffffff || size === 0xffffffff) throw bad(`${name} is Zip64`);
    const deferred = (flags & 0x8) !== 0;
    let sum = 0;
    let length = 0;
    const parts =
      method === 8
        ? inflate(reader, deferred ? undefined : packed)
        : method === 0 && !deferred
          ? stored(reader, packed)
          : undefined;
    if (!parts) throw bad(`${name} uses compression method ${method}`);
    for await (const data of parts) {
      sum = crc32(data, sum);
      length += data.length;
      yield { name, data };
    }
    if (deferred) {
      let d = (await reader.exact(12))!;
      if (d.readUInt32LE(0) === DESCRIPTOR)
        d = Buffer.concat([d.subarray(4), (await reader.exact(4))!]);
      crc = d.readUInt32LE(0);
      size = d.readUInt32LE(8);
    }
    if (sum !== crc || length !== size) throw bad(`${name} fails its CRC or size check`);
  }
  // The central directory repeats what was read: consume it so the connection ends cleanly.
  await reader.drain();
}

async function* stored(reader: ByteReader, packed: number): AsyncGenerator<Buffer> {
  for (let left = packed; left > 0;) {
    const chunk = await reader.some(Math.min(FEED, left));
    left -= chunk.length;
    yield chunk;
  }
}

/**
 * Inflates one entry: `packed` bytes, or (unknown size) until the deflate stream ends, handing
 * back to the reader whatever followed it. One small input at a time, each fully processed
 * before the next, so the inflater's count of bytes consumed marks the entry's end.
 */
async function* inflate(reader: ByteReader, packed?: number): AsyncGenerator<Buffer> {
  const inflater = createInflateRaw();
  let out: Buffer[] = [];
  let ended = false;
  inflater.on('data', (b: Buffer) => out.push(b));
  inflater.on('end', () => (ended = true));
  const endedPromise = new Promise<void>((resolve, reject) => {
    inflater.on('end', resolve);
    inflater.on('error', reject);
  });
  endedPromise.catch(() => undefined);
  let fed = 0;
  try {
    for (let left = packed ?? Infinity; left > 0 && !ended;) {
      const chunk = await reader.some(Math.min(FEED, left));
      left -= chunk.length;
      fed += chunk.length;
      await new Promise<void>((resolve, reject) =>
        inflater.write(chunk, (e) => (e ? reject(bad(e.message)) : resolve())),
      );
      if (inflater.bytesWritten < fed) {
        if (packed !== undefined) throw bad('an entry ends before its stated size');
        reader.unshift(chunk.subarray(chunk.length - (fed - inflater.bytesWritten)));
        break;
      }
      if (out.length) {
        const ready = out;
        out = [];
        yield* ready;
      }
    }
    if (!ended) inflater.end();
    await endedPromise.catch((e: Error) => {
      throw bad(e.message);
    });
    yield* out;
  } finally {
    inflater.destroy();
  }
}
