/**
 * Issue 13 item 12: a 2xx answer whose body is not the JSON asked for (a proxy's HTML page, a cut
 * body) is an error with a code and kind, never a string handed on as Zoho's data.
 */
import assert from 'node:assert/strict';
import { useHostileZoho } from './hostile-server';

describe('an answer that is not JSON', () => {
  const rig = useHostileZoho();

  const answer = (type: string, body: string) => {
    rig.zoho.api = (_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
  };

  it('HTML with 200 fails with UNEXPECTED_RESPONSE (kind http, status 200)', async () => {
    answer('text/html', '<html><body>Sign in to the Wi-Fi</body></html>');
    await assert.rejects(rig.connect().request({ method: 'GET', path: '/v8/Leads' }), {
      code: 'UNEXPECTED_RESPONSE',
      kind: 'http',
      status: 200,
    });
  });

  it('cut JSON with a JSON content type fails the same way', async () => {
    answer('application/json', '{"data":[{"id":"1"');
    await assert.rejects(rig.connect().request({ method: 'GET', path: '/v8/Leads' }), {
      code: 'UNEXPECTED_RESPONSE',
    });
  });

  it('text asked for as text, and an empty 204, still succeed', async () => {
    answer('text/csv', 'a,b\n1,2\n');
    const csv = await rig.connect().request({ method: 'GET', path: '/v8/x', responseType: 'text' });
    assert.equal(csv.data, 'a,b\n1,2\n');
    rig.zoho.api = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const empty = await rig.connect().request({ method: 'DELETE', path: '/v8/Leads/1' });
    assert.equal(empty.data, undefined);
  });
});
