/**
 * What the CRM client sends, checked against Zoho's own OpenAPI files for CRM v8: every request
 * a client function makes (recorded by the sandbox) must hit a path template of the right file
 * with a method that file declares, carry only declared query parameters with valid values and
 * every required one, and send a JSON body that validates against the operation's requestBody.
 *
 * Where Zoho's files and Zoho's documented API disagree, the deviation is listed in KNOWN with
 * the reason; anything else fails with the request and the violation named. The last test fails
 * when a KNOWN entry no longer occurs, so the list cannot go stale.
 */
import assert from 'node:assert/strict';
import { ZohoConnection } from '../../src/zoho/core/connection';
import { ZohoError } from '../../src/zoho/core/errors';
import {
  createRecords,
  deleteRecords,
  getDeletedRecords,
  getRecord,
  listAll,
  listRecords,
  searchAll,
  searchRecords,
  updateRecords,
  upsertRecords,
} from '../../src/zoho/crm/index';
import { runCoql } from '../../src/zoho/crm/coql';
import {
  attachLink,
  collectAttachments,
  deleteAttachment,
  downloadAttachment,
  listAttachments,
  uploadAttachment,
} from '../../src/zoho/crm/attachments';
import { listFields, listModules } from '../../src/zoho/crm/metadata';
import {
  addNotes,
  addTags,
  collectRelatedRecords,
  deleteNotes,
  linkRelatedRecords,
  listNotes,
  listRelatedRecords,
  listTags,
  removeTags,
  unlinkRelatedRecords,
  updateNotes,
} from '../../src/zoho/crm/index';
import type { RecordedRequest } from '../../src/sandbox/types';
import { CallCheck, Oas, OasCall } from '../helpers/oas';
import { sandboxConnection, useSandbox } from '../helpers/sandbox';

/** The files the CRM client's requests may land in. */
const FILES = [
  'record.json',
  'module_search.json',
  'coql.json',
  'attachments.json',
  'download_attachments.json',
  'modules.json',
  'fields.json',
  'related_records.json',
  'notes.json',
  'tags.json',
] as const;
type OasFile = (typeof FILES)[number];

interface Known {
  file: OasFile;
  method: string;
  template: string;
  error: RegExp;
  why: string;
}

/**
 * Deviations of the client from Zoho's files that are faults of the files, not of the client.
 * Each one is reported in the test output; none may be added without a reason.
 */
const KNOWN: Known[] = [
  ...(['POST', 'PUT'] as const).map((method): Known => ({
    file: 'notes.json',
    method,
    template: '/crm/v8/Notes',
    error:
      /^body \$\.data\[\d+\]: missing required property (Modified_Time|\$attachments|Owner|Created_Time|\$editable|\$is_shared_to_client|Modified_By|\$size|\$state|\$voice_note|id|Created_By|Parent_Id|Note_Title)$/,
    why:
      "notes.json gives the request the answer's Note schema (ids, stamps, $-keys); a new note " +
      'is Note_Content with an optional Note_Title and its Parent_Id, an update the id and the ' +
      "fields that change (Zoho's v2 create-notes / update-notes pages)",
  })),
  {
    file: 'notes.json',
    method: 'POST',
    template: '/crm/v8/Notes',
    error: /^body \$\.data\[\d+\]\.Parent_Id\.module: missing required property id$/,
    why:
      "Minified_Module requires the module's id; Zoho's v8 notes examples name the parent " +
      'module by api_name alone (**unverified** against a live org)',
  },
  {
    file: 'tags.json',
    method: 'POST',
    template: '/crm/v8/{module_api_name}/actions/add_tags',
    error:
      /^body \$\.tags\[\d+\]: missing required property (color_code|created_time|modified_time|modified_by|created_by|id)$/,
    why:
      "tags.json gives the request the answer's Tag schema (ids, times, users); a tag to add is " +
      "named by `name` (tags.json Tag.name; Zoho's v2 add-tags page takes names only)",
  },
  {
    file: 'tags.json',
    method: 'POST',
    template: '/crm/v8/{module_api_name}/actions/remove_tags',
    error: /^body \$\.tags\[\d+\]: missing required property id$/,
    why:
      'Existing_Tag marks id required but also declares name; removing by name as the v2 ' +
      'remove-tags page does is **unverified** for v8',
  },
  {
    file: 'module_search.json',
    method: 'GET',
    template: '/crm/v8/{module}/search',
    error: /^required query parameter per_page is missing$/,
    why:
      "module_search.json marks per_page required; record.json (same path) and Zoho's search " +
      'docs make it optional (default 200)',
  },
  {
    file: 'module_search.json',
    method: 'GET',
    template: '/crm/v8/{module}/search',
    error:
      /^query parameter (fields|page|approved) is not declared for GET \/crm\/v8\/\{module\}\/search$/,
    why:
      'module_search.json omits fields, page and approved; record.json declares them for ' +
      'GET /crm/v8/{module_api_name}/search',
  },
  {
    file: 'attachments.json',
    method: 'GET',
    template: '/crm/v8/{module}/{record_id}/Attachments',
    error: /^required query parameter ids is missing$/,
    why:
      'attachments.json reuses one `ids` parameter (required: true) for GET and DELETE; for ' +
      'GET (list) Zoho documents ids as an optional filter',
  },
  {
    file: 'attachments.json',
    method: 'POST',
    template: '/crm/v8/{module}/{record_id}/Attachments',
    error: /^required query parameter attachmentUrl is missing$/,
    why:
      'attachments.json describes only the link form of an upload (attachmentUrl); the file ' +
      'form (multipart, part "file") that Zoho documents for the same URL is not in the file',
  },
  {
    file: 'attachments.json',
    method: 'POST',
    template: '/crm/v8/{module}/{record_id}/Attachments',
    error: /^body: .* declares no multipart\/form-data body$/,
    why: 'same gap: attachments.json declares no requestBody for the multipart file upload',
  },
];

const oas = new Oas();

function label(r: OasCall): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query ?? {}))
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  const qs = q.toString();
  return `${r.method} ${r.path}${qs ? `?${decodeURIComponent(qs)}` : ''}`;
}

function isKnown(r: OasCall, c: CallCheck, error: string): Known | undefined {
  return KNOWN.find(
    (k) =>
      k.file === c.file &&
      k.method === r.method.toUpperCase() &&
      k.template === c.template &&
      k.error.test(error),
  );
}

const knownSeen = new Set<Known>();

interface Verdict {
  /** One line per violation: `request -> file METHOD template: violation`. */
  problems: string[];
  /** Known deviations met, same format. */
  known: string[];
  /** The KNOWN entries met. */
  met: Set<Known>;
}

/**
 * Checks calls against the OAS files. A call conforms when every file holding its most specific
 * template accepts it, KNOWN deviations aside; `expectFile` must be one of those files.
 */
function verify(calls: readonly OasCall[], expectFile?: OasFile): Verdict {
  const verdict: Verdict = { problems: [], known: [], met: new Set() };
  for (const r of calls) {
    const checks = oas.checkCall(FILES, r);
    if (expectFile && !checks.some((c) => c.file === expectFile)) {
      verdict.problems.push(
        `${label(r)} -> expected a template of ${expectFile}, got ${checks
          .map((c) => `${c.file} ${c.template}`)
          .join(', ')}`,
      );
    }
    for (const c of checks) {
      for (const e of c.errors) {
        const line = `${label(r)} -> ${c.file} ${r.method.toUpperCase()} ${c.template}: ${e}`;
        const k = isKnown(r, c, e);
        if (k) {
          verdict.met.add(k);
          verdict.known.push(line);
        } else verdict.problems.push(line);
      }
    }
  }
  return verdict;
}

describe("CRM client requests against Zoho's CRM v8 OpenAPI files", function () {
  this.timeout(60_000);
  const sb = useSandbox();
  let conn: ZohoConnection;
  const tag = `OAS${Date.now()}`;
  const knownReport: string[] = [];

  const sent = (): RecordedRequest[] =>
    sb.sandbox.requests.filter((r) => r.path.startsWith('/crm/'));

  /** Every request of the test so far conforms; returns how many were checked. */
  function conforms(expectFile: OasFile, atLeast = 1): number {
    const calls = sent();
    assert.ok(
      calls.length >= atLeast,
      `expected at least ${atLeast} CRM requests, saw ${calls.length}`,
    );
    const v = verify(calls, expectFile);
    knownReport.push(...v.known);
    for (const k of v.met) knownSeen.add(k);
    assert.deepEqual(
      v.problems,
      [],
      `requests that do not match Zoho's OpenAPI:\n  ${v.problems.join('\n  ')}`,
    );
    return calls.length;
  }

  async function newLeads(n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
    const res = await createRecords(
      conn,
      'Leads',
      Array.from({ length: n }, (_, i) => ({
        Last_Name: `${tag}-${i}`,
        Company: 'Acme',
        Email: `${tag.toLowerCase()}-${i}-${Math.random().toString(36).slice(2, 8)}@example.com`,
        ...extra,
      })),
    );
    assert.equal(res.failed.length, 0, JSON.stringify(res.failed));
    sb.sandbox.clearRequests();
    return res.results.map((r) => r.id!);
  }

  before(() => {
    conn = sandboxConnection(
      sb.sandbox,
      'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.coql.READ',
    );
  });

  after(() => {
    conn?.close();
    if (knownReport.length > 0) {
      console.log(
        `      OAS deviations accepted as faults of Zoho's files (KNOWN):\n        ${[
          ...new Set(knownReport),
        ].join('\n        ')}`,
      );
    }
  });

  describe('the checker itself', () => {
    it('reports a wrong JSON body, naming the request and the violation', () => {
      const v = verify(
        [
          {
            method: 'POST',
            path: '/crm/v8/Leads',
            query: {},
            headers: { 'content-type': 'application/json' },
            body: { data: 'not an array', trigger: 'workflow', duplicate_check_fields: [1] },
          },
          {
            method: 'POST',
            path: '/crm/v8/coql',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: { query: 'select id from Leads' },
          },
        ],
        'record.json',
      );
      const joined = v.problems.join('\n');
      assert.match(
        joined,
        /POST \/crm\/v8\/Leads -> record\.json POST \/crm\/v8\/\{module_api_name\}: body \$\.data: expected array, got string/,
      );
      assert.match(joined, /body \$\.trigger: expected array, got string/);
      assert.match(joined, /body \$\.duplicate_check_fields\[0\]: expected string, got number/);
      assert.match(
        joined,
        /POST \/crm\/v8\/coql -> coql\.json .*missing required property select_query/,
      );
    });

    it('reports unknown, missing, mistyped and out-of-enum parameters, wrong methods and paths', () => {
      const v = verify([
        {
          method: 'GET',
          path: '/crm/v8/Leads',
          query: { fields: 'Last_Name', per_page: 'lots', bogus: '1' },
        },
        { method: 'DELETE', path: '/crm/v8/Leads', query: { ids: '1', wf_trigger: 'yes' } },
        { method: 'GET', path: '/crm/v8/settings/fields', query: { type: 'weird' } },
        {
          method: 'GET',
          path: '/crm/v8/settings/modules',
          query: { status: 'visible,user_hidden' },
        },
        { method: 'GET', path: '/crm/v8/Leads', query: { fields: ['a', 'b'] } },
        {
          method: 'GET',
          path: '/crm/v8/Leads/deleted',
          query: { type: 'all' },
          headers: { 'if-modified-since': 'Tue, 01 Jul 2025 10:00:00 GMT' },
        },
        { method: 'POST', path: '/crm/v8/Leads/deleted', headers: {} },
        { method: 'PATCH', path: '/crm/v8/Leads', headers: {} },
        { method: 'GET', path: '/crm/v8/Leads/1/Attachments', query: {} },
        { method: 'GET', path: '/crm/v9/nowhere', query: {} },
        { method: 'PUT', path: '/crm/v8/Leads', headers: {} },
      ]);
      const want = [
        /GET \/crm\/v8\/Leads\?fields=Last_Name&per_page=lots&bogus=1 -> record\.json GET \/crm\/v8\/\{module_api_name\}: query parameter per_page: "lots" is not an integer/,
        /bogus=1 -> record\.json .*query parameter bogus is not declared for GET \/crm\/v8\/\{module_api_name\}/,
        /DELETE .*query parameter wf_trigger: "yes" is not a boolean/,
        /settings\/fields\?type=weird -> fields\.json .*query parameter type: "weird" is not one of all, unused, used/,
        /settings\/fields\?type=weird -> fields\.json .*required query parameter module is missing/,
        /settings\/modules\?status=visible,user_hidden -> modules\.json .*is not one of/,
        /query parameter fields is given 2 times/,
        /header parameter If-Modified-Since: "Tue, 01 Jul 2025 10:00:00 GMT" is not an ISO 8601 date-time/,
        /POST \/crm\/v8\/Leads\/deleted -> record\.json .*: POST is not an operation of \/crm\/v8\/\{module_api_name\}\/deleted in record\.json/,
        /PATCH \/crm\/v8\/Leads -> record\.json .*PATCH is not an operation/,
        /Attachments -> attachments\.json .*required query parameter fields is missing/,
        /GET \/crm\/v9\/nowhere -> .*no path template in .* matches \/crm\/v9\/nowhere/,
        /PUT \/crm\/v8\/Leads -> record\.json .*the required request body is missing/,
      ];
      const joined = v.problems.join('\n');
      for (const re of want) assert.match(joined, re);
    });

    it('routes each path to the most specific template and file', () => {
      const where = (method: string, p: string) =>
        oas.checkCall(FILES, { method, path: p }).map((c) => `${c.file} ${c.template}`);
      assert.deepEqual(where('POST', '/crm/v8/coql'), ['coql.json /crm/v8/coql']);
      assert.deepEqual(where('GET', '/crm/v8/settings/modules'), [
        'modules.json /crm/v8/settings/modules',
      ]);
      assert.deepEqual(where('POST', '/crm/v8/Leads/upsert'), [
        'record.json /crm/v8/{module_api_name}/upsert',
      ]);
      assert.deepEqual(where('GET', '/crm/v8/Leads/search'), [
        'record.json /crm/v8/{module_api_name}/search',
        'module_search.json /crm/v8/{module}/search',
      ]);
      assert.deepEqual(where('GET', '/crm/v8/Leads/1/Attachments/2'), [
        'attachments.json /crm/v8/{module}/{record_id}/Attachments/{id}',
      ]);
    });

    it('reports a wrong request that really went through the sandbox', async () => {
      for (const spec of [
        { method: 'POST' as const, path: '/v8/Leads', body: { data: { Last_Name: 'x' } } },
        {
          method: 'GET' as const,
          path: '/v8/Leads',
          query: { fields: 'Last_Name', sort_by_: 'id' },
        },
      ]) {
        try {
          await conn.request({ product: 'crm', ...spec });
        } catch (e) {
          if (!(e instanceof ZohoError)) throw e;
        }
      }
      const v = verify(sent(), 'record.json');
      sb.sandbox.clearRequests();
      const joined = v.problems.join('\n');
      assert.match(
        joined,
        /POST \/crm\/v8\/Leads -> record\.json .*body \$\.data: expected array, got object/,
      );
      assert.match(joined, /query parameter sort_by_ is not declared/);
    });
  });

  describe('records (record.json)', () => {
    it('createRecords with trigger', async () => {
      const res = await createRecords(
        conn,
        'Leads',
        [
          { Last_Name: `${tag}-c1`, Company: 'Acme' },
          { Last_Name: `${tag}-c2`, Company: 'Acme' },
        ],
        { trigger: ['workflow', 'approval', 'blueprint'] },
      );
      conforms('record.json');
      assert.equal(res.succeeded, 2);
      const body = sent()[0].body as Record<string, unknown>;
      assert.deepEqual(body.trigger, ['workflow', 'approval', 'blueprint']);
    });

    it('createRecords without trigger, in several batches', async () => {
      const res = await createRecords(
        conn,
        'Leads',
        Array.from({ length: 5 }, (_, i) => ({ Last_Name: `${tag}-b${i}` })),
        { batchSize: 2 },
      );
      assert.equal(res.succeeded, 5);
      assert.equal(conforms('record.json', 3), 3);
    });

    it('getRecord with and without fields', async () => {
      const [id] = await newLeads(1);
      assert.ok(await getRecord(conn, 'Leads', id, { fields: ['Last_Name', 'Email'] }));
      assert.ok(await getRecord(conn, 'Leads', id));
      conforms('record.json', 2);
    });

    it('listRecords: fields, page, per_page, sort, ids, If-Modified-Since', async () => {
      const ids = await newLeads(3);
      await listRecords(conn, 'Leads', {
        fields: ['Last_Name', 'Company'],
        page: 1,
        perPage: 2,
        sortBy: 'Created_Time',
        sortOrder: 'desc',
      });
      await listRecords(conn, 'Leads', { fields: 'Last_Name', ids });
      await listRecords(conn, 'Leads', {
        fields: 'Last_Name',
        modifiedSince: new Date(Date.now() - 3_600_000),
      });
      conforms('record.json', 3);
      const r = sent();
      assert.equal(r[0].query.sort_order, 'desc');
      assert.ok(r[2].headers['if-modified-since'], 'If-Modified-Since was sent');
    });

    it('listRecords with a page_token, and listAll over several pages', async () => {
      await newLeads(4);
      const first = await listRecords(conn, 'Leads', { fields: 'Last_Name', perPage: 2 });
      const token = first.info.next_page_token;
      assert.ok(typeof token === 'string' && token !== '', 'the sandbox hands out a page token');
      await listRecords(conn, 'Leads', { fields: 'Last_Name', perPage: 2, pageToken: token });
      const all = await listAll(conn, 'Leads', { fields: 'Last_Name', perPage: 50, maxPages: 3 });
      conforms('record.json', 3);
      assert.equal(sent()[1].query.page_token, token);
      assert.equal(sent()[1].query.page, undefined);
      assert.ok(all.records.length > 0);
    });

    it('updateRecords with an empty and a given trigger', async () => {
      const [a, b] = await newLeads(2);
      await updateRecords(conn, 'Leads', [{ id: a, Company: 'Updated' }]);
      await updateRecords(conn, 'Leads', [{ id: b, Company: 'Updated' }], {
        trigger: ['workflow'],
      });
      conforms('record.json', 2);
      assert.equal(sent()[0].method, 'PUT');
      assert.equal('trigger' in (sent()[0].body as object), false, 'no trigger unless asked');
    });

    it('upsertRecords with and without duplicate_check_fields', async () => {
      const email = `${tag.toLowerCase()}-up@example.com`;
      await upsertRecords(conn, 'Leads', [{ Last_Name: `${tag}-u`, Email: email }], {
        duplicateCheckFields: ['Email'],
        trigger: ['workflow', 'blueprint'],
      });
      await upsertRecords(conn, 'Leads', [{ Last_Name: `${tag}-u2`, Email: email }], {
        duplicateCheckFields: 'Email,Last_Name',
      });
      await upsertRecords(conn, 'Leads', [{ Last_Name: `${tag}-u3` }]);
      conforms('record.json', 3);
      const bodies = sent().map((r) => r.body as Record<string, unknown>);
      assert.deepEqual(bodies[0].duplicate_check_fields, ['Email']);
      assert.deepEqual(bodies[1].duplicate_check_fields, ['Email', 'Last_Name']);
      assert.equal(bodies[2].duplicate_check_fields, undefined);
    });

    it('deleteRecords with and without wf_trigger', async () => {
      const [a, b, c] = await newLeads(3);
      await deleteRecords(conn, 'Leads', [a, b]);
      await deleteRecords(conn, 'Leads', [c], { workflowTrigger: true });
      conforms('record.json', 2);
      // Absent unless asked: Zoho's own default then applies (its workflow rules run).
      assert.equal(sent()[0].query.wf_trigger, undefined);
      assert.equal(sent()[1].query.wf_trigger, 'true');
    });

    it('getDeletedRecords: type, page, per_page, If-Modified-Since', async () => {
      const [a] = await newLeads(1);
      await deleteRecords(conn, 'Leads', [a]);
      sb.sandbox.clearRequests();
      await getDeletedRecords(conn, 'Leads');
      await getDeletedRecords(conn, 'Leads', { type: 'recycle', page: 1, perPage: 10 });
      await getDeletedRecords(conn, 'Leads', {
        type: 'permanent',
        modifiedSince: '2020-01-01T00:00:00+00:00',
      });
      conforms('record.json', 3);
    });
  });

  describe('search (module_search.json and record.json)', () => {
    it('by criteria (string and object), word, email and phone', async () => {
      const [id] = await newLeads(1, { Phone: '5550100' });
      assert.ok(id);
      await searchRecords(conn, 'Leads', { criteria: `(Last_Name:equals:${tag}-0)` });
      await searchRecords(conn, 'Leads', {
        criteria: { field: 'Company', op: 'equals', value: 'Acme' },
      });
      await searchRecords(conn, 'Leads', { word: tag });
      await searchRecords(conn, 'Leads', { email: `${tag.toLowerCase()}-0@example.com` });
      await searchRecords(conn, 'Leads', { phone: '5550100' });
      const n = conforms('module_search.json', 5);
      assert.equal(n, 5);
    });

    it('with fields, page, per_page, converted and approved', async () => {
      await newLeads(2);
      await searchRecords(
        conn,
        'Leads',
        { word: tag },
        { fields: ['Last_Name'], page: 1, perPage: 1, converted: 'both', approved: 'true' },
      );
      await searchAll(conn, 'Leads', { word: tag }, { perPage: 1, maxPages: 2 });
      conforms('record.json', 2);
    });
  });

  describe('COQL (coql.json)', () => {
    it('one query, with bound parameters, and every page', async () => {
      await newLeads(3);
      await runCoql(conn, 'select Last_Name from Leads where Last_Name like :p limit 2', {
        params: { p: `${tag}%` },
      });
      await runCoql(conn, "select Last_Name, Company from Leads where Company = 'Acme'", {
        returnAll: true,
        pageSize: 2,
        maxRecords: 5,
      });
      conforms('coql.json', 2);
    });
  });

  describe('attachments (attachments.json)', () => {
    it('upload, link, list (fields, page, per_page, page_token), download, delete', async () => {
      const [id] = await newLeads(1);
      const up = await uploadAttachment(conn, 'Leads', id, {
        data: Buffer.from('hello oas'),
        fileName: 'hello.txt',
        contentType: 'text/plain',
      });
      assert.equal(up.status, 'success');
      await attachLink(conn, 'Leads', id, 'https://example.com/spec.pdf', 'Spec');
      await uploadAttachment(conn, 'Leads', id, { data: 'two', fileName: 'two.txt' });
      const page = await listAttachments(conn, 'Leads', id, { page: 1, perPage: 1 });
      await listAttachments(conn, 'Leads', id, { fields: ['id', 'File_Name'] });
      // The sandbox hands out no attachment page tokens: the request shape is what is checked
      // here, so a made-up token is fine even when the answer is an error.
      const token = page.info.next_page_token;
      await listAttachments(conn, 'Leads', id, {
        perPage: 1,
        pageToken: typeof token === 'string' && token !== '' ? token : 'no-token-from-sandbox',
      }).catch((e: unknown) => {
        if (!(e instanceof ZohoError)) throw e;
      });
      await collectAttachments(conn, 'Leads', id, { perPage: 1 });
      const got = await downloadAttachment(conn, 'Leads', id, up.id!);
      assert.equal(got.data.toString('utf8'), 'hello oas');
      await deleteAttachment(conn, 'Leads', id, up.id!);
      conforms('attachments.json', 8);
      assert.ok(sent().some((r) => typeof r.query.page_token === 'string'));
      assert.match(String(sent()[0].headers['content-type']), /^multipart\/form-data/);
    });
  });

  describe('related records, notes and tags (issue 17)', () => {
    it('related records: list a page and every page, link, unlink', async () => {
      const account = await createRecords(conn, 'Accounts', [{ Account_Name: `${tag}-acc` }]);
      const accountId = account.results[0].id!;
      const contacts = await createRecords(conn, 'Contacts', [
        { Last_Name: `${tag}-c1` },
        { Last_Name: `${tag}-c2` },
      ]);
      const ids = contacts.results.map((r) => r.id!);
      sb.sandbox.clearRequests();
      const ref = { module: 'Accounts', recordId: accountId, relatedList: 'Contacts' };
      assert.equal((await linkRelatedRecords(conn, ref, ids)).succeeded, 2);
      await listRelatedRecords(conn, ref, { fields: 'Last_Name', page: 1, perPage: 1 });
      assert.equal((await collectRelatedRecords(conn, ref, { perPage: 1 })).records.length, 2);
      assert.equal((await unlinkRelatedRecords(conn, ref, ids)).succeeded, 2);
      conforms('related_records.json', 5);
    });

    it('notes: add, list, update, delete', async () => {
      const [id] = await newLeads(1);
      const added = await addNotes(conn, { module: 'Leads', id }, { title: 'T', content: 'c' });
      const noteId = added.results[0].id!;
      await updateNotes(conn, { id: noteId, content: 'd' });
      await deleteNotes(conn, noteId);
      conforms('notes.json', 3);
      sb.sandbox.clearRequests();
      await listNotes(conn, { module: 'Leads', id });
      conforms('related_records.json', 1);
    });

    it('tags: add (over_write), remove, list', async () => {
      const ids = await newLeads(2);
      await addTags(conn, 'Leads', ids, ['oas']);
      await addTags(conn, 'Leads', ids, ['oas2'], { overWrite: true });
      await removeTags(conn, 'Leads', ids, ['oas2']);
      await listTags(conn, 'Leads');
      conforms('tags.json', 4);
    });
  });

  describe('settings (modules.json, fields.json)', () => {
    it('listModules', async () => {
      assert.ok((await listModules(conn)).length > 0);
      conforms('modules.json');
    });

    it('listFields', async () => {
      assert.ok((await listFields(conn, 'Leads')).length > 0);
      conforms('fields.json');
    });
  });

  describe('the KNOWN list', () => {
    it('every KNOWN deviation still occurs (the list cannot go stale)', function () {
      // Only meaningful when the whole suite ran (not under --grep).
      if (knownSeen.size === 0 && knownReport.length === 0) this.skip();
      const stale = KNOWN.filter((k) => !knownSeen.has(k)).map(
        (k) => `${k.file} ${k.method} ${k.template} ${k.error}`,
      );
      assert.deepEqual(
        stale,
        [],
        `KNOWN entries no request met any more:\n  ${stale.join('\n  ')}`,
      );
    });
  });
});
