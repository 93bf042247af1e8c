/**
 * A one-entry ZIP written as its text arrives: the text is deflated as it is added and only the
 * compressed bytes are kept (a 25,000-record CSV of a few MB packs to a few hundred KB), so an
 * upload never holds its CSV as text. Sizes and CRC go in the local header and the central
 * directory (PKWARE APPNOTE 4.3.7, 4.3.12, 4.3.16), which is why the bytes are kept until the
 * end instead of streamed: the header comes first and needs them.
 */
import { once } from 'node:events';
import { createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { crc32 } from './crc32';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DEFLATE = 8;
/** 1980-01-01 00:00 in DOS time: the file's date carries nothing Zoho reads. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export class ZipWriter {
  private readonly deflate: DeflateRaw = createDeflateRaw();
  private readonly packed: Buffer[] = [];
  private packedSize = 0;
  private size = 0;
  private crc = 0;

  constructor(private readonly name: string) {
    this.deflate.on('data', (chunk: Buffer) => {
      this.packed.push(chunk);
      this.packedSize += chunk.length;
    });
  }

  /** Bytes of text added so far. */
  get textBytes(): number {
    return this.size;
  }

  add(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    this.deflate.write(bytes);
  }

  /** The whole archive, as the pieces to send one after another. */
  async finish(): Promise<Buffer[]> {
    const ended = once(this.deflate, 'end');
    this.deflate.end();
    await ended;
    const name = Buffer.from(this.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // bit 11: the name is UTF-8
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(this.crc >>> 0, 14);
    local.writeUInt32LE(this.packedSize, 18);
    local.writeUInt32LE(this.size, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(CENTRAL, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    local.copy(dir, 8, 6, 30);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(dir.length + name.length, 12);
    end.writeUInt32LE(local.length + name.length + this.packedSize, 16);
    return [local, name, ...this.packed, dir, name, end];
  }
}
