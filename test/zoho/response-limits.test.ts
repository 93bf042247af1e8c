import assert from 'node:assert/strict';
import { ZohoError } from '../../src/zoho/core/errors';
import { endlessBody, useHostileZoho } from './hostile-server';

const MiB = 1024 * 1024;

describe('response size limits: an endless answer is cut, not buffered', () => {
  const rig = useHostileZoho();

  it('a record read over the connection limit fails with RESPONSE_TOO_LARGE, once', async () => {
    const sent = { bytes: 0 };
    rig.zoho.api = endlessBody(sent);
    const conn = rig.connect({ maxResponseBytes: 2 * MiB });
    const error = await conn.request({ method: 'GET', path: '/v8/Leads' }).then(
      () => assert.fail('an endless answer cannot succeed'),
      (e: ZohoError) => e,
    );
    assert.equal(error.code, 'RESPONSE_TOO_LARGE');
    assert.equal(error.kind, 'http');
    assert.match(error.message, /larger than 2097152 bytes/);
    assert.equal(rig.zoho.requests.length, 1, 'not retried: it would be as large again');
    assert.equal(conn.status().state, 'connected');
  });

  it('a download has its own limit', async () => {
    rig.zoho.api = endlessBody({ bytes: 0 });
    const conn = rig.connect({ maxDownloadBytes: MiB, maxResponseBytes: 64 * MiB });
    await assert.rejects(
      conn.request({ method: 'GET', path: '/v8/Leads/1/Attachments/2', responseType: 'binary' }),
      { code: 'RESPONSE_TOO_LARGE', message: /larger than 1048576 bytes/ },
    );
  });

  it('an endless token answer is cut at 64 KiB', async () => {
    const sent = { bytes: 0 };
    rig.zoho.token = endlessBody(sent);
    const conn = rig.connect();
    await assert.rejects(conn.request({ method: 'GET', path: '/v8/Leads' }), {
      code: 'RESPONSE_TOO_LARGE',
      message: /accounts server's answer was larger than 65536 bytes/,
    });
    assert.equal(rig.zoho.requests.length, 0);
  });
});
