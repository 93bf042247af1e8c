/**
 * Test client for the Books family: a sandbox with a fresh Books family, an access token once
 * started, and `call` that sends to /books/v3 for an organization and answers status and body.
 */
import { accountsFamily } from '../../src/sandbox/accounts';
import { booksFamily, type BooksFamily } from '../../src/sandbox/books/index';
import { crmFamily } from '../../src/sandbox/crm/index';
import { authHeader, issueTokens, useSandbox } from '../helpers/sandbox';

/** The default organization of the sandbox (America/New_York) and the other (Europe/Berlin). */
export const ORG = '10234695';
export const BERLIN = '20234696';

export interface BooksReply {
  status: number;
  headers: Headers;
  // Tests read deep into Zoho's bodies; `any` keeps the assertions short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface BooksHarness {
  readonly books: BooksFamily;
  readonly sb: ReturnType<typeof useSandbox>;
  call(this: void, method: string, path: string, body?: unknown, org?: string): Promise<BooksReply>;
  /** The Authorization header of the harness's access token. */
  headers(this: void): Record<string, string>;
}

/** For a describe block: the sandbox starts before its tests and stops after them. */
export function useBooksSandbox(creditLimit = 0): BooksHarness {
  let books: BooksFamily | undefined;
  let token = '';
  const sb = useSandbox({ creditLimit }, () => {
    books = booksFamily();
    return [accountsFamily(), crmFamily(), books];
  });
  before(() => (token = issueTokens(sb.sandbox).accessToken));
  return {
    get books() {
      return books!;
    },
    sb,
    headers: () => authHeader(token),
    async call(method, path, body, org = ORG) {
      const url = `${sb.url}/books/v3/${path}${path.includes('?') ? '&' : '?'}organization_id=${org}`;
      const headers: Record<string, string> = authHeader(token);
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };
      const res = await fetch(url, init);
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? JSON.parse(text) : undefined,
      };
    },
  };
}
