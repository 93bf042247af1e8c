import assert from 'node:assert/strict';
import { CrmStore } from '../../src/sandbox/crm/store';
import { ModuleRegistry } from '../../src/sandbox/crm/registry';
import { standardModules } from '../../src/sandbox/crm/modules';
import { formatTime } from '../../src/sandbox/crm/util';
import { encodeBody } from '../../src/sandbox/encode';
import type { ApiFamily } from '../../src/sandbox/types';
import { issueTokens, authHeader, startSandbox } from '../helpers/sandbox';

// Issue 19: the emulator's own cost per call, without changing what it answers.
describe('sandbox: its own cost per call', () => {
  it('encodes a body to the same bytes, length and type as JSON.stringify / Buffer.from would', () => {
    const bytesOf = (e: ReturnType<typeof encodeBody>): Buffer =>
      Buffer.isBuffer(e.payload) ? e.payload : Buffer.from(e.payload ?? '', 'utf8');
    const body = { data: [{ Last_Name: 'Ünïcode ✓ 😀', id: '4876876000000500001' }], info: {} };
    const json = encodeBody({ status: 200, body });
    assert.deepEqual(bytesOf(json), Buffer.from(JSON.stringify(body)));
    assert.equal(json.bytes, Buffer.from(JSON.stringify(body)).length);
    assert.equal(json.type, 'application/json;charset=UTF-8');
    const text = encodeBody({ status: 200, body: 'é' });
    assert.deepEqual(bytesOf(text), Buffer.from('é'));
    assert.equal(text.bytes, 2);
    assert.equal(text.type, 'text/plain; charset=utf-8');
    const bytes = Buffer.from([1, 2, 3]);
    assert.equal(encodeBody({ status: 200, body: bytes }).payload, bytes);
    assert.equal(encodeBody({ status: 200, body: bytes }).bytes, 3);
    assert.equal(
      encodeBody({ status: 200, body: bytes, contentType: 'image/png' }).type,
      'image/png',
    );
    assert.deepEqual(encodeBody({ status: 204, body: { ignored: true } }), {});
    assert.deepEqual(encodeBody({ status: 304, body: 'x' }), {});
    assert.deepEqual(encodeBody({ status: 200 }), {});
  });

  it('sends a multi-byte answer whole, its Content-Length in bytes', async () => {
    const body = { data: [{ Last_Name: 'Łódź ✓ 😀'.repeat(500) }] };
    const family: ApiFamily = {
      name: 'multibyte',
      register(r) {
        r.route('GET', '/crm/v8/__multibyte', () => ({ status: 200, body }));
      },
    };
    const sandbox = await startSandbox({ creditLimit: 0 }, [family]);
    try {
      const { accessToken } = issueTokens(sandbox);
      const res = await fetch(`${sandbox.url}/crm/v8/__multibyte`, {
        headers: authHeader(accessToken),
      });
      const raw = Buffer.from(await res.arrayBuffer());
      assert.equal(res.headers.get('content-length'), String(raw.length));
      assert.deepEqual(raw, Buffer.from(JSON.stringify(body)));
    } finally {
      await sandbox.stop();
    }
  });

  it('encodes an answer as it is made, inside the latency, not after it', async () => {
    const shared = { n: 1 };
    const family: ApiFamily = {
      name: 'late-change',
      register(r) {
        r.route('GET', '/crm/v8/__late', () => {
          // Changed while the latency runs: the answer already on its way must not see it.
          setTimeout(() => (shared.n = 2), 20);
          return { status: 200, body: shared };
        });
      },
    };
    const sandbox = await startSandbox({ latencyMs: 150, creditLimit: 0 }, [family]);
    try {
      const { accessToken } = issueTokens(sandbox);
      const started = Date.now();
      const res = await fetch(`${sandbox.url}/crm/v8/__late`, { headers: authHeader(accessToken) });
      assert.deepEqual(await res.json(), { n: 1 });
      assert.equal(shared.n, 2);
      assert.ok(Date.now() - started >= 140, 'the latency still applies');
    } finally {
      await sandbox.stop();
    }
  });

  it('stamps writes with the second and offset of each write, formatted once per second', () => {
    const store = new CrmStore(new ModuleRegistry(standardModules()));
    const base = Date.UTC(2026, 11, 2, 21, 30, 0, 0);
    const times = [base, base + 999, base + 1000, base + 1000, base - 1, base + 86_400_000];
    for (const offset of [0, 330, 330, -480, 0]) {
      store.offsetMinutes = offset;
      for (const t of times) {
        assert.equal(store.formatTime(t), formatTime(t, offset), `${t} at ${offset}`);
        const [rec] = store.insert('Leads', [{ Last_Name: 'T' }], { time: t });
        assert.equal(rec.data.Created_Time, formatTime(t, offset));
      }
    }
  });

  it('derives Full_Name, lookup names and owners on every write of a module', () => {
    const store = new CrmStore(new ModuleRegistry(standardModules()));
    const [account] = store.insert('Accounts', [{ Account_Name: 'Acme' }]);
    const owner = store.users[1] ?? store.users[0];
    for (let i = 0; i < 3; i++) {
      const [contact] = store.insert('Contacts', [
        {
          First_Name: `Ada${i}`,
          Last_Name: 'Lovelace',
          Account_Name: { id: account.id },
          Owner: { id: owner.id },
        },
      ]);
      assert.equal(contact.data.Full_Name, `Ada${i} Lovelace`);
      assert.deepEqual(contact.data.Account_Name, { name: 'Acme', id: account.id });
      assert.deepEqual(contact.data.Owner, {
        name: owner.name,
        id: owner.id,
        email: owner.email,
      });
    }
  });
});
