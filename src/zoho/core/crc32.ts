/**
 * CRC-32 (ISO-HDLC, the one ZIP and gzip use) for the outbox journal and the ZIP reader.
 *
 * `zlib.crc32` arrived in Node 20.15 and 22.2, while engines.node admits every Node 20 and 22.9
 * (Node-RED 4 runs on any Node 20). Below those versions the table-driven loop stands in; it
 * gives the same values, so a journal written under one Node reads under another.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, value?: number) => number;

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** The portable CRC-32 of `data`, continuing from `value` (a previous result) as zlib's does. */
export function crc32Portable(data: Uint8Array, value = 0): number {
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// Typed as possibly absent: @types/node describes the newest Node 20, not the oldest we run on.
const native = (zlib as Partial<Pick<typeof zlib, 'crc32'>>).crc32;

/** CRC-32 of `data`, continuing from `value`: Node's own where it has one. */
export const crc32: Crc32 = native ? (data, value) => native(data, value) : crc32Portable;
