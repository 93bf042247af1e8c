/**
 * A minimal ZIP writer for the emulator's Bulk Read results: one deflated entry per file, with
 * sizes and CRC in the local header and the central directory (PKWARE APPNOTE 4.3.7, 4.3.12,
 * 4.3.16). No zip library is installed, and the emulator only needs to write what Zoho serves.
 */
import { gzipSync } from 'node:zlib';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DEFLATE = 8;
/** 1980-01-01 00:00 in DOS time: the emulator's files carry no meaningful date. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * The raw deflate stream and CRC-32 of `data`, both out of one gzip member (RFC 1952: a 10-byte
 * header when FLG is 0, as Node writes it, the deflate blocks, then CRC32 and ISIZE). Node's
 * `zlib.crc32` is missing below Node 20.15, and the client's own CRC must not check itself.
 */
function deflateWithCrc(data: Buffer): { packed: Buffer; crc: number } {
  const member = gzipSync(data);
  if (member[3] !== 0) throw new Error('gzip header with optional fields');
  return { packed: member.subarray(10, -8), crc: member.readUInt32LE(member.length - 8) };
}

export function zip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const { packed, crc } = deflateWithCrc(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // bit 11: the name is UTF-8
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(CENTRAL, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    local.copy(dir, 8, 6, 30); // flags … name length, as in the local header
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    parts.push(local, name, packed);
    offset += local.length + name.length + packed.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dirBytes, end]);
}
