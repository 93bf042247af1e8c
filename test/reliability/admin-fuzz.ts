/**
 * Generated calls of the zoho-config admin endpoints (the config node's only input): junk
 * regions, URLs, client ids, codes, states and node ids. Nothing here points the pack at a host
 * other than the sandbox on loopback: junk accounts URLs are not URLs of any host.
 */
import type { helper } from '../helpers/red';
import { Gen, HOSTILE_IDS, INJECTIONS, WRONG_TYPES } from './bad-input';

type Agent = ReturnType<typeof helper.request>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = { status: number; text: string; body: any };

export interface AdminCase {
  label: string;
  call(agent: Agent): PromiseLike<Reply>;
}

const json = (v: unknown): unknown => (typeof v === 'bigint' ? String(v) : v);

export function adminFuzzCases(g: Gen, sandboxUrl: string, n: number): AdminCase[] {
  const junk = (): unknown =>
    g.next() < 0.4
      ? g.pick(HOSTILE_IDS)
      : g.next() < 0.5
        ? g.pick(INJECTIONS)
        : g.next() < 0.5
          ? json(g.pick(WRONG_TYPES))
          : g.junk(1 + g.int(50));
  const seg = (): string => encodeURIComponent(String(junk()) || 'x');
  const notAUrl = (): unknown =>
    g.pick(['not a url', 'javascript:alert(1)', '', 42, null, g.junk(20)]);
  const makers: (() => AdminCase)[] = [
    () => {
      const body = {
        region: g.next() < 0.5 ? junk() : 'custom',
        accountsUrl: g.next() < 0.5 ? sandboxUrl : notAUrl(),
        clientId: junk(),
        clientSecret: junk(),
        redirectUri: g.pick([
          junk(),
          'http://127.0.0.1:1880/zoho-config/auth/callback?x=INJ',
          'javascript:x',
        ]),
        scopes: junk(),
      };
      return {
        label: `auth/start ${JSON.stringify(body).slice(0, 120)}`,
        call: (a) => a.post('/zoho-config/c1/auth/start').send(body),
      };
    },
    () => {
      const body = {
        code: junk(),
        region: 'custom',
        accountsUrl: g.next() < 0.7 ? sandboxUrl : notAUrl(),
        clientId: junk(),
        clientSecret: junk(),
        redirectUri: junk(),
      };
      return {
        label: `auth/code ${JSON.stringify(body).slice(0, 120)}`,
        call: (a) => a.post('/zoho-config/c1/auth/code').send(body),
      };
    },
    () => {
      const id = seg();
      return { label: `status ${id}`, call: (a) => a.get(`/zoho-config/${id}/status?check=1`) };
    },
    () => {
      const id = seg();
      // Never c1 itself: disconnecting it would be a valid request, not bad input.
      return {
        label: `disconnect ${id}`,
        call: (a) => a.post(`/zoho-config/${id === 'c1' ? 'x' : id}/disconnect`).send({}),
      };
    },
    () => {
      const q = new URLSearchParams({ state: String(junk()), code: String(junk()) });
      if (g.next() < 0.3) q.set('error', String(junk()));
      return { label: `callback ${q}`, call: (a) => a.get(`/zoho-config/auth/callback?${q}`) };
    },
    () => {
      const id = g.next() < 0.5 ? 'c1' : seg();
      return { label: `crm modules ${id}`, call: (a) => a.get(`/zoho-crm/${id}/modules`) };
    },
    () => {
      const module = encodeURIComponent(String(junk()));
      return {
        label: `crm fields ${module}`,
        call: (a) => a.get(`/zoho-crm/c1/fields?module=${module}`),
      };
    },
    () => {
      const id = g.next() < 0.5 ? 'c1' : seg();
      return {
        label: `books organizations ${id}`,
        call: (a) => a.get(`/zoho-books/${id}/organizations`),
      };
    },
  ];
  const out: AdminCase[] = [];
  for (let i = 0; out.length < n; i++) out.push(makers[i % makers.length]());
  return out;
}
