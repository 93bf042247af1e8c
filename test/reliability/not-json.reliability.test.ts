/**
 * Issue 13 item 12: 2xx answers that are not the JSON asked for, from a hostile "Zoho": how many
 * reached the caller as if they were data (must be 0).
 */
import assert from 'node:assert/strict';
import { useHostileZoho } from '../zoho/hostile-server';
import { figure } from './figures';

const BODIES: [string, string][] = [
  ['text/html', '<html>proxy login</html>'],
  ['application/json', '{"data":[{"id":"1"'],
  ['application/json', 'null-ish garbage'],
  ['text/plain', 'OK'],
  ['application/octet-stream', '\u0000\u0001\u0002'],
];

describe('reliability: answers that are not JSON', function () {
  const rig = useHostileZoho('1000.NOTJSONCLIENT');

  it('no 2xx answer that is not JSON is handed on as data', async () => {
    let handedOn = 0;
    for (const [type, body] of BODIES) {
      rig.zoho.api = (_req, res) => {
        res.writeHead(200, { 'content-type': type });
        res.end(body);
      };
      const ok = await rig
        .connect()
        .request({ method: 'GET', path: '/v8/Leads' })
        .then(
          () => true,
          () => false,
        );
      if (ok) handedOn++;
    }
    figure('attack.not_json.bodies_tried', BODIES.length);
    figure('attack.not_json.handed_on_as_data', handedOn);
    assert.equal(handedOn, 0);
  });
});
