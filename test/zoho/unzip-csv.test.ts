/**
 * The streaming ZIP and CSV readers on their own: entries with a data descriptor (how Java's
 * ZipOutputStream writes deflated entries), stored entries, a damaged CRC, and RFC 4180 CSV
 * split at every byte, multi-byte characters included.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { CsvReader } from '../../src/zoho/core/csv';
import { ZohoError } from '../../src/zoho/core/errors';
import { unzipStream } from '../../src/zoho/core/unzip';
import { zip } from '../../src/sandbox/crm/zip';

/** A one-entry ZIP whose sizes follow the data (bit 3), as a streaming writer makes it. */
function zipWithDescriptor(name: string, data: Buffer): Buffer {
  // Deflate blocks and CRC-32 from one gzip member (RFC 1952), as zlib.crc32 needs Node 20.15.
  const member = gzipSync(data);
  const packed = member.subarray(10, -8);
  const crc = member.readUInt32LE(member.length - 8);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0x0808, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(name.length, 26);
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc, 4);
  descriptor.writeUInt32LE(packed.length, 8);
  descriptor.writeUInt32LE(data.length, 12);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  return Buffer.concat([local, Buffer.from(name), packed, descriptor, end]);
}

/** The bytes as a network would hand them over: in pieces, each on a later turn. */
async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}

async function entries(bytes: Buffer, size: number): Promise<Map<string, string>> {
  const out = new Map<string, Buffer[]>();
  for await (const { name, data } of unzipStream(pieces(bytes, size))) {
    out.set(name, [...(out.get(name) ?? []), data]);
  }
  return new Map([...out].map(([k, v]) => [k, Buffer.concat(v).toString('utf8')]));
}

describe('streaming unzip and CSV readers', () => {
  const text = Array.from({ length: 3000 }, (_, i) => `row ${i},"a ""b"", c"\r\n`).join('');

  it('reads deflated entries with sizes in the header or in a data descriptor', async () => {
    const two = zip([
      { name: 'a.csv', data: Buffer.from(text) },
      { name: 'b.csv', data: Buffer.from('x,y\r\n') },
    ]);
    for (const size of [1, 7, 4096, two.length]) {
      const got = await entries(two, size);
      assert.equal(got.get('a.csv'), text, `piece size ${size}`);
      assert.equal(got.get('b.csv'), 'x,y\r\n');
    }
    const streamed = zipWithDescriptor('c.csv', Buffer.from(text));
    for (const size of [1, 13, 65536]) {
      assert.equal((await entries(streamed, size)).get('c.csv'), text, `piece size ${size}`);
    }
  });

  it('refuses a damaged entry and a file that is not a ZIP', async () => {
    const bytes = zip([{ name: 'a.csv', data: Buffer.from(text) }]);
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE((damaged.readUInt32LE(14) ^ 1) >>> 0, 14); // the CRC
    const isBadZip = (e: unknown) => e instanceof ZohoError && e.code === 'BAD_ZIP';
    await assert.rejects(entries(damaged, 100), isBadZip);
    await assert.rejects(entries(Buffer.from('<html>not a zip</html>'), 100), isBadZip);
    await assert.rejects(entries(bytes.subarray(0, 60), 100), isBadZip);
  });

  it('parses RFC 4180 CSV split at any byte, UTF-8 included', () => {
    const csv = 'Id,Name,Note\r\n1,"Zoë, ""the"" 🎉","two\nlines"\r\n2,,plain\n3,"",x';
    const expected = [
      ['Id', 'Name', 'Note'],
      ['1', 'Zoë, "the" 🎉', 'two\nlines'],
      ['2', '', 'plain'],
      ['3', '', 'x'],
    ];
    const bytes = Buffer.from('\ufeff' + csv);
    for (let size = 1; size <= bytes.length; size++) {
      const reader = new CsvReader();
      const rows: string[][] = [];
      for (let i = 0; i < bytes.length; i += size)
        rows.push(...reader.push(bytes.subarray(i, i + size)));
      rows.push(...reader.end());
      assert.deepEqual(rows, expected, `piece size ${size}`);
    }
    const open = new CsvReader();
    open.push(Buffer.from('a,"never closed'));
    assert.throws(
      () => open.end(),
      (e: unknown) => e instanceof ZohoError && e.code === 'BAD_CSV',
    );
  });
});
