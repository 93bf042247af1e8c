/**
 * The client speaks of its own options, never of a runtime around it: every error thrown for bad
 * input names the option at fault in `param`, nothing is sent, and no message (input or auth)
 * talks about msg, Node-RED, the zoho-config node or its dialog.
 */
import assert from 'node:assert/strict';
import {
  BOOKS,
  ZohoError,
  attachLink,
  booksAction,
  buildCriteria,
  buildRawRequest,
  checkNotifyUrl,
  createBooksRecord,
  createRecords,
  deleteRecords,
  downloadAttachment,
  getBooksRecord,
  getDeletedRecords,
  getRecord,
  listAllBooksRecords,
  listBooksRecords,
  listRecords,
  runCoql,
  searchRecords,
  tokenError,
  updateRecords,
  uploadAttachment,
  upsertRecords,
  watchEvents,
  ZohoAuth,
} from '../../src/zoho/index';
import { httpError } from '../../src/zoho/core/response';
import { StubRequester } from './stub-requester';

/** Words of a runtime the client must not speak of. */
const RUNTIME_WORDS = /msg\.|node-red|zoho-config|\bthe node\b|dialog|\bConnect\b|reconnect/i;

const stub = new StubRequester(() => {
  throw new Error('nothing may be sent for bad input');
});

type Case = [param: string, call: () => unknown];

const big = Buffer.alloc(20 * 1024 * 1024 + 1);

const CASES: Record<string, Case[]> = {
  crm: [
    ['module', () => getRecord(stub, '', '1')],
    ['module', () => listRecords(stub, 'Bad Module', { fields: 'Email' })],
    ['recordId', () => getRecord(stub, 'Leads', '../x')],
    ['fields', () => listRecords(stub, 'Leads', {})],
    ['fields', () => listRecords(stub, 'Leads', { fields: 'Last Name' })],
    ['perPage', () => listRecords(stub, 'Leads', { fields: 'Email', perPage: 500 })],
    ['pageToken', () => listRecords(stub, 'Leads', { fields: 'Email', page: 1, pageToken: 't' })],
    ['sortOrder', () => listRecords(stub, 'Leads', { fields: 'Email', sortOrder: 'up' as never })],
    ['cvid', () => listRecords(stub, 'Leads', { fields: 'Email', cvid: 'x' })],
    ['modifiedSince', () => listRecords(stub, 'Leads', { fields: 'a', modifiedSince: 'soon' })],
    ['type', () => getDeletedRecords(stub, 'Leads', { type: 'gone' as never })],
    ['records', () => createRecords(stub, 'Leads', undefined as never)],
    ['records', () => createRecords(stub, 'Leads', [])],
    ['records', () => createRecords(stub, 'Leads', ['x'] as never)],
    ['records', () => updateRecords(stub, 'Leads', [{ Last_Name: 'x' }])],
    ['trigger', () => createRecords(stub, 'Leads', [{}], { trigger: ['x' as never] })],
    ['batchSize', () => createRecords(stub, 'Leads', [{}], { batchSize: 101 })],
    [
      'duplicateCheckFields',
      () => upsertRecords(stub, 'Leads', [{}], { duplicateCheckFields: 'a b' }),
    ],
    ['ids', () => deleteRecords(stub, 'Leads', '')],
    ['ids', () => deleteRecords(stub, 'Leads', ['1', 'x'])],
    ['search', () => searchRecords(stub, 'Leads', {} as never)],
    ['word', () => searchRecords(stub, 'Leads', { word: 'a' })],
    ['criteria', () => searchRecords(stub, 'Leads', { criteria: 'Last_Name:equals:x' })],
    ['criteria', () => buildCriteria({ field: 'A', op: 'like' as never, value: 'x' })],
    ['modules', () => watchEvents([], ['create'])],
    ['events', () => watchEvents(['Leads'], ['explode'])],
    ['notifyUrl', () => checkNotifyUrl('not a url')],
  ],
  coql: [
    ['query', () => runCoql(stub, '')],
    ['query', () => runCoql(stub, 'delete from Leads')],
    ['query', () => runCoql(stub, "select id from Leads where a = 'x")],
    ['params', () => runCoql(stub, 'select id from Leads where a = :a')],
    ['params', () => runCoql(stub, 'select id from Leads where a = :a', { params: { a: [] } })],
    ['params', () => runCoql(stub, 'select id from Leads', { params: [] as never })],
    ['pageSize', () => runCoql(stub, 'select id from Leads', { returnAll: true, pageSize: 5000 })],
  ],
  attachments: [
    ['fileName', () => uploadAttachment(stub, 'Leads', '1', { data: 'x', fileName: '' })],
    ['fileName', () => uploadAttachment(stub, 'Leads', '1', { data: 'x', fileName: 'a/b' })],
    ['data', () => uploadAttachment(stub, 'Leads', '1', { data: 5 as never, fileName: 'a' })],
    ['data', () => uploadAttachment(stub, 'Leads', '1', { data: big, fileName: 'a' })],
    ['file', () => uploadAttachment(stub, 'Leads', '1', 'x' as never)],
    ['recordId', () => downloadAttachment(stub, 'Leads', 'x', '1')],
    ['attachmentId', () => downloadAttachment(stub, 'Leads', '1', 'x')],
    ['url', () => attachLink(stub, 'Leads', '1', 'nope')],
  ],
  books: [
    ['recordType', () => listBooksRecords(stub, 'BAD')],
    ['recordType', () => listAllBooksRecords(stub, '')],
    ['recordId', () => getBooksRecord(stub, 'invoices', 'x')],
    ['entity', () => createBooksRecord(stub, 'contacts', 'x' as never)],
    ['search', () => listBooksRecords(stub, 'contacts', { search: 'x' as never })],
    ['search', () => listBooksRecords(stub, 'contacts', { search: { page: 2 } })],
    ['perPage', () => listBooksRecords(stub, 'contacts', { perPage: 500 })],
    ['sortOrder', () => listBooksRecords(stub, 'contacts', { sortOrder: 'up' as never })],
    ['organizationId', () => listBooksRecords(stub, 'contacts', { organizationId: 'abc' })],
    ['parentId', () => listBooksRecords(stub, 'contactpersons', {})],
    [
      'parentType',
      () => listBooksRecords(stub, 'invoices', { parentType: 'contacts', parentId: '1' }),
    ],
    ['action', () => booksAction(stub, 'invoices', '1', 'explode')],
    ['body', () => booksAction(stub, 'invoices', '1', 'email', 'x' as never)],
    ['recordType', () => listBooksRecords(stub, 'BAD', { product: BOOKS })],
  ],
  raw: [
    ['url', () => buildRawRequest({ url: '' })],
    ['url', () => buildRawRequest({ url: 'https://u:p@www.zohoapis.com/x' })],
    ['method', () => buildRawRequest({ url: '/x', method: 'TRACE' as never })],
    ['product', () => buildRawRequest({ url: '/x', product: 'evil' as never })],
    ['headers', () => buildRawRequest({ url: '/x', headers: { Authorization: 'x' } })],
    ['query', () => buildRawRequest({ url: '/x', query: { a: {} as never } })],
    ['body', () => buildRawRequest({ url: '/x', method: 'POST', body: 'not json' })],
    ['files', () => buildRawRequest({ url: '/x', files: [{ fileName: 'a', data: 'x' }] })],
    ['timeout', () => buildRawRequest({ url: '/x', timeout: 0 })],
  ],
};

async function thrownBy(call: () => unknown): Promise<unknown> {
  try {
    const result = call();
    if (result && typeof (result as AsyncIterator<unknown>).next === 'function') {
      await (result as AsyncIterator<unknown>).next();
    } else {
      await result;
    }
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('client errors speak of options, never of a runtime', function () {
  for (const [family, cases] of Object.entries(CASES)) {
    it(`${family}: bad input names the option at fault and sends nothing`, async function () {
      for (const [param, call] of cases) {
        const error = await thrownBy(call);
        const where = `${family} case for ${param}: ${call.toString()}`;
        assert.ok(error instanceof ZohoError, `${where} threw ${String(error)}`);
        assert.equal(error.code, 'INVALID_INPUT', where);
        assert.equal(error.kind, 'input', where);
        assert.equal(error.param, param, `${where}: ${error.message}`);
        assert.doesNotMatch(error.message, RUNTIME_WORDS, where);
      }
      assert.equal(stub.calls.length, 0);
    });
  }

  it('has a representative set of cases', function () {
    assert.ok(Object.values(CASES).flat().length >= 20);
  });

  it('auth and Zoho errors tell what to do without naming a runtime', async function () {
    const notConnected = await thrownBy(() =>
      new ZohoAuth({
        accountsUrl: 'http://127.0.0.1:9',
        clientId: 'a',
        clientSecret: 'b',
      }).accessToken(),
    );
    const errors = [
      notConnected,
      tokenError({ error: 'invalid_code' }, 'refresh_token'),
      tokenError({ error: 'invalid_client' }, 'refresh_token'),
      tokenError({ error: 'invalid_redirect_uri' }, 'authorization_code'),
      tokenError(
        { error: 'Access Denied', error_description: 'too many requests' },
        'refresh_token',
      ),
      httpError(401, { code: 'INVALID_TOKEN', message: 'invalid oauth token' }),
      httpError(401, { code: 'AUTHENTICATION_FAILURE', message: 'x' }),
      httpError(401, { code: 'OAUTH_SCOPE_MISMATCH', message: 'x' }),
    ];
    assert.equal((notConnected as ZohoError).code, 'NOT_CONNECTED');
    for (const error of errors) {
      assert.ok(error instanceof ZohoError, String(error));
      assert.doesNotMatch(error.message, RUNTIME_WORDS, error.code);
    }
  });
});
