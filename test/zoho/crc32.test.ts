import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { crc32, crc32Portable } from '../../src/zoho/core/crc32';

/** The CRC-32 a gzip member carries in its trailer (RFC 1952): zlib's own, on every Node. */
const gzipCrc = (data: Buffer): number => {
  const member = zlib.gzipSync(data);
  return member.readUInt32LE(member.length - 8);
};

describe('crc32: the same values with or without zlib.crc32 (Node < 20.15)', () => {
  it('the portable CRC gives the check value and agrees with gzip on any bytes', () => {
    // The CRC-32/ISO-HDLC check value of "123456789".
    assert.equal(crc32Portable(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32Portable(Buffer.alloc(0)), 0);
    for (const size of [1, 7, 255, 256, 4097, 70_000]) {
      const data = randomBytes(size);
      assert.equal(crc32Portable(data), gzipCrc(data), `${size} bytes`);
    }
  });

  it('continues from a previous value as zlib does, so a chunked sum equals the whole', () => {
    const data = randomBytes(10_000);
    let sum = 0;
    for (let at = 0; at < data.length; at += 777) {
      sum = crc32Portable(data.subarray(at, at + 777), sum);
    }
    assert.equal(sum, gzipCrc(data));
  });

  it("the exported crc32 is this Node's, where it has one, and agrees with the portable one", () => {
    const data = randomBytes(3000);
    const native = (zlib as Partial<Pick<typeof zlib, 'crc32'>>).crc32;
    if (native) assert.equal(crc32(data, 5), native(data, 5));
    assert.equal(crc32(data, 5), crc32Portable(data, 5));
    assert.equal(crc32(data.subarray(1000), crc32(data.subarray(0, 1000))), gzipCrc(data));
  });
});
