/**
 * Test client for the CRM family: a sandbox with a fresh CRM family and an access token,
 * and fetch wrappers that return status, headers and the parsed body.
 */
import { accountsFamily } from '../../src/sandbox/accounts';
import { crmFamily, type CrmFamily, type CrmFamilyOptions } from '../../src/sandbox/crm/index';
import type { Sandbox } from '../../src/sandbox/server';
import { authHeader, issueTokens, startSandbox } from '../helpers/sandbox';

export interface Reply {
  status: number;
  headers: Headers;
  // Tests read deep into Zoho's bodies; `any` keeps the assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  raw: Buffer;
}

export interface CrmHarness {
  sandbox: Sandbox;
  crm: CrmFamily;
  token: string;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  stop(): Promise<void>;
}

export async function startCrm(options: CrmFamilyOptions = {}): Promise<CrmHarness> {
  const crm = crmFamily(options);
  const sandbox = await startSandbox({ creditLimit: 0 }, [accountsFamily(), crm]);
  const { accessToken } = issueTokens(sandbox);
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const init: RequestInit = { method, headers: { ...authHeader(accessToken), ...headers } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const res = await fetch(sandbox.url + path, init);
    const raw = Buffer.from(await res.arrayBuffer());
    let parsed: unknown = undefined;
    if ((res.headers.get('content-type') ?? '').includes('json') && raw.length > 0) {
      parsed = JSON.parse(raw.toString('utf8'));
    }
    return { status: res.status, headers: res.headers, body: parsed, raw };
  };
  return {
    sandbox,
    crm,
    token: accessToken,
    request,
    get: (path, headers) => request('GET', path, undefined, headers),
    stop: () => sandbox.stop(),
  };
}

export const V8 = '/crm/v8';
