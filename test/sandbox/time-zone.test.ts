import assert from 'node:assert/strict';
import { parseOffset, zoneForOffset } from '../../src/sandbox/crm/time-zone';
import { zoneOffsetMinutes as offsetOf } from '../helpers/sandbox';

describe('sandbox: the org time zone', () => {
  it('names a zone with the offset all year round (January and July)', () => {
    const offsets = [
      ...Array.from({ length: 27 }, (_, i) => (i - 12) * 60),
      -570,
      270,
      330,
      345,
      390,
      525,
      570,
    ];
    for (const offset of offsets) {
      const zone = zoneForOffset(offset);
      for (const at of [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15)]) {
        assert.equal(offsetOf(zone, at), offset, `${zone} at ${new Date(at).toISOString()}`);
      }
    }
    assert.equal(zoneForOffset(0), 'Etc/UTC');
    assert.equal(zoneForOffset(330), 'Asia/Kolkata');
    assert.throws(() => zoneForOffset(17), /no time zone has the fixed offset \+00:17/);
  });

  it('reads offsets as the CLI takes them', () => {
    assert.equal(parseOffset('+05:30'), 330);
    assert.equal(parseOffset('-08:00'), -480);
    assert.equal(parseOffset('-0800'), -480);
    assert.equal(parseOffset('UTC'), 0);
    assert.equal(parseOffset('+05:75'), undefined);
    assert.equal(parseOffset('Asia/Kolkata'), undefined);
  });
});
