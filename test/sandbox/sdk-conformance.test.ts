/**
 * The emulator driven by Zoho's own CRM SDK (@zohocrm/nodejs-sdk-8.0): what the SDK sends is
 * what Zoho's client sends, and the SDK parses each answer into its typed models. Any answer the
 * SDK cannot read as Zoho's (an APIException, a wrong wrapper, a missing key) fails the suite.
 *
 * The SDK talks only to the sandbox's loopback URL: its Environment is built with
 * DataCenter.setEnvironment(apiUrl, accountsUrl, fileUploadUrl) (lib/routes/dc/data_center.js),
 * the way each of its data centres builds its own.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CLIENT, issueTokens, startSandbox, type Sandbox } from '../helpers/sandbox';

// The SDK ships no types; the suite reads its models through their documented getters.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sdk = any;

const SDK_PATH = '@zohocrm/nodejs-sdk-8.0/lib/index.js';
const SCOPE =
  'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.notifications.ALL,ZohoCRM.coql.READ';

/** The SDK is an ES module; this compiled CommonJS file loads it with a real import(). */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('s', 'return import(s)') as (s: string) => Promise<Sdk>;

/** Value of an SDK Choice, or the value itself. */
function valueOf(v: Sdk): unknown {
  return v && typeof v.getValue === 'function' ? v.getValue() : v;
}

/** Explains an SDK APIException, so a failing case says what the emulator answered. */
function explain(obj: Sdk): string {
  if (!obj || typeof obj.getCode !== 'function') return String(obj?.constructor?.name);
  return `${String(valueOf(obj.getCode()))}: ${String(valueOf(obj.getMessage()))} ${JSON.stringify(obj.getDetails?.() ?? {})}`;
}

/** The response's object, which must be an instance of `wanted` (by SDK class name). */
function objectOf(res: Sdk, status: number, wanted: string): Sdk {
  assert.ok(res, 'the SDK answered nothing');
  const obj = res.getObject();
  assert.equal(obj?.constructor?.name, wanted, explain(obj));
  assert.equal(res.getStatusCode(), status);
  return obj;
}

/** An ActionWrapper whose every entry is a SuccessResponse; answers the entries. */
function successes(res: Sdk, status: number): Sdk[] {
  const wrapper = objectOf(res, status, 'ActionWrapper');
  const list = (wrapper.getData?.() ?? wrapper.getWatch?.()) as Sdk[];
  assert.ok(Array.isArray(list) && list.length > 0, 'an ActionWrapper with entries');
  for (const entry of list) {
    assert.equal(entry.constructor.name, 'SuccessResponse', explain(entry));
    assert.equal(valueOf(entry.getStatus()), 'success');
  }
  return list;
}

describe('Zoho CRM SDK conformance (@zohocrm/nodejs-sdk-8.0 against the emulator)', function () {
  this.timeout(60000);
  let Z: Sdk;
  let sandbox: Sandbox;
  let dir: string;

  async function initialize(token: Sdk): Promise<void> {
    const environment = Z.DataCenter.setEnvironment(
      sandbox.url,
      `${sandbox.url}/oauth/v2/token`,
      sandbox.url,
    );
    // Every URL the SDK may call is the sandbox's loopback address: it never reaches Zoho.
    for (const url of [
      environment.getUrl(),
      environment.getAccountsUrl(),
      environment.getFileUploadUrl(),
    ])
      assert.match(String(url), /^http:\/\/127\.0\.0\.1:\d+/);
    const logger = new Z.LogBuilder()
      .level(Z.Levels.OFF)
      .filePath(path.join(dir, 'sdk.log'))
      .build();
    const config = new Z.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(false);
    await (
      await new Z.InitializeBuilder()
    )
      .environment(environment)
      .token(token)
      .store(new Z.FileStore(path.join(dir, `tokens-${Date.now()}.txt`)))
      .logger(logger)
      .SDKConfig(config.build())
      // One SDK path appends "resources/" with no separator (utils/util/utility.js, line 313).
      .resourcePath(dir + path.sep)
      .initialize();
  }

  const tokenCalls = (grant: string) =>
    sandbox.requests.filter(
      (r) =>
        r.path === '/oauth/v2/token' && (r.body as Record<string, unknown>)?.grant_type === grant,
    ).length;

  before(async () => {
    Z = await importEsm(require.resolve(SDK_PATH));
    sandbox = await startSandbox({ creditLimit: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-sdk-'));
  });
  after(async () => {
    await sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Initializes the SDK with the default client and `grant` (a grant code or refresh token), then lists Leads. */
  async function connectAndList(grant: (builder: Sdk) => Sdk): Promise<number> {
    const builder = new Z.OAuthBuilder()
      .clientId(DEFAULT_CLIENT.clientId)
      .clientSecret(DEFAULT_CLIENT.clientSecret)
      .findUser(false);
    await initialize(grant(builder).build());
    const res = await new Z.Record.RecordOperations('Leads').getRecords(
      await params(Z.Record.GetRecordsParam, { FIELDS: 'Last_Name' }),
    );
    return res.getStatusCode() as number;
  }

  it('OAuth: exchanges a grant code, then calls the API with the token it got', async () => {
    const code = sandbox.accounts.issueGrantCode({
      clientId: DEFAULT_CLIENT.clientId,
      scope: SCOPE,
    });
    assert.equal(await connectAndList((b) => b.grantToken(code)), 204);
    assert.equal(tokenCalls('authorization_code'), 1);
  });

  it('OAuth: refreshes an access token from a refresh token', async () => {
    const { refreshToken } = issueTokens(sandbox, SCOPE);
    const before = tokenCalls('refresh_token');
    assert.equal(await connectAndList((b) => b.refreshToken(refreshToken)), 204);
    assert.equal(tokenCalls('refresh_token'), before + 1);
  });

  /** A ParameterMap from a Param class and { PARAM_NAME: value }. */
  async function params(kind: Sdk, values: Record<string, unknown>): Promise<Sdk> {
    const map = new Z.ParameterMap();
    for (const [name, value] of Object.entries(values)) await map.add(kind[name], value);
    return map;
  }

  function leadRecord(fields: Record<string, unknown>): Sdk {
    const record = new Z.Record.Record();
    for (const [k, v] of Object.entries(fields)) record.addKeyValue(k, v);
    return record;
  }

  function body(records: Sdk[], extra: (w: Sdk) => void = () => undefined): Sdk {
    const wrapper = new Z.Record.BodyWrapper();
    wrapper.setData(records);
    extra(wrapper);
    return wrapper;
  }

  const ops = () => new Z.Record.RecordOperations('Leads');
  const ids: string[] = [];

  it('records: create (201, one SuccessResponse per record with its id)', async () => {
    const res = await ops().createRecords(
      body([
        leadRecord({ Last_Name: 'Sdk-1', Email: 'sdk1@example.com' }),
        leadRecord({ Last_Name: 'Sdk-2' }),
      ]),
    );
    for (const entry of successes(res, 201)) ids.push(String(entry.getDetails().get('id')));
    assert.equal(ids.length, 2);
  });

  it('records: get one by id (ResponseWrapper with the record)', async () => {
    const res = await ops().getRecord(BigInt(ids[0]));
    const data = objectOf(res, 200, 'ResponseWrapper').getData() as Sdk[];
    assert.equal(data[0].getKeyValue('Last_Name'), 'Sdk-1');
    assert.equal(String(data[0].getId()), ids[0]);
  });

  it('records: list with page and per_page, then with page_token (Info read)', async () => {
    const first = await ops().getRecords(
      await params(Z.Record.GetRecordsParam, { FIELDS: 'Last_Name', PER_PAGE: 1, PAGE: 1 }),
    );
    const wrapper = objectOf(first, 200, 'ResponseWrapper');
    assert.equal(wrapper.getData().length, 1);
    const info = wrapper.getInfo();
    assert.equal(info.getPerPage(), 1);
    assert.equal(info.getMoreRecords(), true);
    const next = info.getNextPageToken();
    assert.equal(typeof next, 'string');
    const second = await ops().getRecords(
      await params(Z.Record.GetRecordsParam, {
        FIELDS: 'Last_Name',
        PER_PAGE: 1,
        PAGE_TOKEN: next,
      }),
    );
    assert.equal(objectOf(second, 200, 'ResponseWrapper').getData().length, 1);
  });

  it('records: update', async () => {
    const record = leadRecord({ Company: 'Updated by SDK' });
    record.setId(BigInt(ids[1]));
    successes(await ops().updateRecords(body([record])), 200);
    const res = await ops().getRecord(BigInt(ids[1]));
    assert.equal(
      objectOf(res, 200, 'ResponseWrapper').getData()[0].getKeyValue('Company'),
      'Updated by SDK',
    );
  });

  it('records: upsert on duplicate_check_fields (update of the match, insert of the rest)', async () => {
    const res = await ops().upsertRecords(
      body(
        [
          leadRecord({ Last_Name: 'Sdk-1b', Email: 'sdk1@example.com' }),
          leadRecord({ Last_Name: 'Sdk-3', Email: 'sdk3@example.com' }),
        ],
        (w) => w.setDuplicateCheckFields(['Email']),
      ),
    );
    const entries = successes(res, 200);
    assert.deepEqual(
      entries.map((e) => valueOf(e.getAction())),
      ['update', 'insert'],
    );
    assert.equal(String(entries[0].getDetails().get('id')), ids[0]);
    ids.push(String(entries[1].getDetails().get('id')));
  });

  it('records: search by criteria and by email', async () => {
    const byCriteria = await ops().searchRecords(
      await params(Z.Record.SearchRecordsParam, { CRITERIA: '(Last_Name:starts_with:Sdk-)' }),
    );
    assert.ok(objectOf(byCriteria, 200, 'ResponseWrapper').getData().length >= 3);
    const byEmail = await ops().searchRecords(
      await params(Z.Record.SearchRecordsParam, { EMAIL: 'sdk3@example.com' }),
    );
    assert.equal(
      objectOf(byEmail, 200, 'ResponseWrapper').getData()[0].getKeyValue('Last_Name'),
      'Sdk-3',
    );
  });

  it('COQL: a select with a where clause (ResponseWrapper with rows and info)', async () => {
    const request = new Z.Coql.BodyWrapper();
    request.setSelectQuery(
      "select Last_Name, Email from Leads where Last_Name like 'Sdk-%' limit 10",
    );
    const res = await new Z.Coql.CoqlOperations().getRecords(request);
    const wrapper = objectOf(res, 200, 'ResponseWrapper');
    assert.ok(wrapper.getData().length >= 3);
    assert.equal(typeof wrapper.getInfo().getCount(), 'number');
  });

  it('tags: a record created with Tag [{ name }] reads back as tag objects', async () => {
    const tag = new Z.Tags.Tag();
    tag.setName('vip');
    const created = successes(
      await ops().createRecords(body([leadRecord({ Last_Name: 'Sdk-tagged', Tag: [tag] })])),
      201,
    );
    const id = String(created[0].getDetails().get('id'));
    const res = await ops().getRecord(BigInt(id));
    const tags = objectOf(res, 200, 'ResponseWrapper').getData()[0].getTag() as Sdk[];
    assert.equal(tags.length, 1);
    assert.equal(tags[0].getName(), 'vip');
    assert.equal(typeof String(tags[0].getId()), 'string');
  });

  it('attachments: upload, list, download and delete', async () => {
    const attachments = new Z.Attachments.AttachmentsOperations();
    const file = new Z.Attachments.FileBodyWrapper();
    // From a file path, as Zoho's samples do (form-data sends no body for a Readable of unknown length).
    const filePath = path.join(dir, 'note.txt');
    fs.writeFileSync(filePath, 'hello from the SDK');
    file.setFile(new Z.StreamWrapper(null, null, filePath));
    const uploaded = successes(
      await attachments.uploadAttachments(BigInt(ids[0]), 'Leads', file),
      200,
    );
    const attachmentId = String(uploaded[0].getDetails().get('id'));
    const listed = await attachments.getAttachments(
      BigInt(ids[0]),
      'Leads',
      await params(Z.Attachments.GetAttachmentsParam, { FIELDS: 'id,File_Name' }),
    );
    const list = objectOf(listed, 200, 'ResponseWrapper').getData() as Sdk[];
    assert.equal(list[0].getFileName(), 'note.txt');
    const download = await attachments.getAttachment(BigInt(attachmentId), BigInt(ids[0]), 'Leads');
    assert.equal(download.getStatusCode(), 200);
    // A download's object is a promise of the FileBodyWrapper (the SDK reads the body first).
    const downloaded: Sdk = await download.getObject();
    assert.equal(downloaded?.constructor?.name, 'FileBodyWrapper', explain(downloaded));
    assert.equal(downloaded.getFile().getName(), 'note.txt');
    const content = downloaded.getFile().getStream() as Buffer;
    assert.equal(Buffer.from(content).toString('utf8'), 'hello from the SDK');
    successes(
      await attachments.deleteAttachment(BigInt(attachmentId), BigInt(ids[0]), 'Leads'),
      200,
    );
  });

  it('notifications: enable, list, update, disable events and delete', async () => {
    const notifications = new Z.Notifications.NotificationsOperations();
    const watch = (fields: Record<string, unknown>): Sdk => {
      const n = new Z.Notifications.Notification();
      // The v8 SDK types channel_id as a String (notifications/notification.js).
      n.setChannelId('1000000068001');
      if (fields.events) n.setEvents(fields.events);
      if (fields.token) n.setToken(fields.token);
      if (fields.notifyUrl) n.setNotifyUrl(fields.notifyUrl);
      if (fields.deleteEvents) n.setDeleteEvents(new Z.Choice(true));
      const w = new Z.Notifications.BodyWrapper();
      w.setWatch([n]);
      return w;
    };
    const url = `${sandbox.url}/hook`;
    successes(
      await notifications.enableNotifications(
        watch({ events: ['Leads.all'], token: 't1', notifyUrl: url }),
      ),
      201,
    );
    const listed = objectOf(await notifications.getNotifications(), 200, 'ResponseWrapper');
    assert.equal(listed.getWatch().length, 1);
    assert.equal(listed.getInfo().getCount(), 1);
    successes(
      await notifications.updateNotifications(watch({ events: ['Leads.create'], notifyUrl: url })),
      200,
    );
    successes(await notifications.updateNotification(watch({ token: 't2' })), 200);
    successes(
      await notifications.disableNotification(
        watch({ events: ['Leads.create'], deleteEvents: true }),
      ),
      200,
    );
    successes(
      await notifications.enableNotifications(watch({ events: ['Leads.edit'], notifyUrl: url })),
      201,
    );
    const gone = await notifications.deleteNotification(
      await params(Z.Notifications.DeleteNotificationParam, { CHANNEL_IDS: '1000000068001' }),
    );
    successes(gone, 200);
  });

  it('records: count, whole module and by criteria (CountWrapper)', async () => {
    const all = await ops().recordCount();
    const total = Number(objectOf(all, 200, 'CountWrapper').getCount());
    assert.ok(total >= 3);
    const some = await ops().recordCount(
      await params(Z.Record.RecordCountParam, { CRITERIA: '(Last_Name:equals:Sdk-3)' }),
    );
    assert.equal(Number(objectOf(some, 200, 'CountWrapper').getCount()), 1);
  });

  it('COQL: a lookup join and aggregates with GROUP BY (rows as Records)', async () => {
    const coql = (q: string): Promise<Sdk> => {
      const request = new Z.Coql.BodyWrapper();
      request.setSelectQuery(q);
      return new Z.Coql.CoqlOperations().getRecords(request);
    };
    const joined = objectOf(
      await coql("select Last_Name, Owner.first_name from Leads where Last_Name = 'Sdk-3'"),
      200,
      'ResponseWrapper',
    );
    assert.equal(joined.getData()[0].getKeyValue('Owner.first_name'), 'Sandbox');
    const grouped = objectOf(
      await coql(
        "select Company, COUNT(id) from Leads where Last_Name like 'Sdk-%' group by Company",
      ),
      200,
      'ResponseWrapper',
    );
    const counts = (grouped.getData() as Sdk[]).map((r) => Number(r.getKeyValue('COUNT(id)')));
    assert.ok(counts.reduce((a, b) => a + b, 0) >= 3);
  });

  it('related lists and records: Contacts under an Account, relate and delink', async () => {
    const accounts = new Z.Record.RecordOperations('Accounts');
    const account = new Z.Record.Record();
    account.addKeyValue('Account_Name', 'Sdk Account');
    const [made] = successes(await accounts.createRecords(body([account])), 201);
    const accountId = BigInt(String(made.getDetails().get('id')));
    const contact = new Z.Record.Record();
    contact.addKeyValue('Last_Name', 'Sdk Contact');
    const contacts = new Z.Record.RecordOperations('Contacts');
    const [c] = successes(await contacts.createRecords(body([contact])), 201);
    const contactId = String(c.getDetails().get('id'));

    const lists = await new Z.RelatedLists.RelatedListsOperations().getRelatedLists(
      await params(Z.RelatedLists.GetRelatedListsParam, { MODULE: 'Accounts' }),
    );
    const names = (objectOf(lists, 200, 'ResponseWrapper').getRelatedLists() as Sdk[]).map((l) =>
      l.getAPIName(),
    );
    assert.ok(names.includes('Contacts') && names.includes('Deals'), names.join());

    const related = new Z.RelatedRecords.RelatedRecordsOperations('Contacts', 'Accounts');
    const link = new Z.Record.Record();
    link.setId(BigInt(contactId));
    const request = new Z.RelatedRecords.BodyWrapper();
    request.setData([link]);
    successes(await related.updateRelatedRecords(accountId, request), 200);
    const got = await related.getRelatedRecords(
      accountId,
      await params(Z.RelatedRecords.GetRelatedRecordsParam, { FIELDS: 'Last_Name' }),
    );
    const rows = objectOf(got, 200, 'ResponseWrapper').getData() as Sdk[];
    assert.deepEqual(
      rows.map((r) => String(r.getId())),
      [contactId],
    );
    successes(
      await related.delinkRecords(
        accountId,
        await params(Z.RelatedRecords.DelinkRecordsParam, { IDS: contactId }),
      ),
      200,
    );
  });

  it('attachments: delete several by ids (one SuccessResponse per id)', async () => {
    const attachments = new Z.Attachments.AttachmentsOperations();
    const filePath = path.join(dir, 'bulk.txt');
    fs.writeFileSync(filePath, 'bulk');
    const upload = async (): Promise<string> => {
      const file = new Z.Attachments.FileBodyWrapper();
      file.setFile(new Z.StreamWrapper(null, null, filePath));
      const [done] = successes(
        await attachments.uploadAttachments(BigInt(ids[0]), 'Leads', file),
        200,
      );
      return String(done.getDetails().get('id'));
    };
    const both = [await upload(), await upload()];
    const res = await attachments.deleteAttachments(
      BigInt(ids[0]),
      'Leads',
      await params(Z.Attachments.DeleteAttachmentsParam, { IDS: both.join(',') }),
    );
    assert.equal(successes(res, 200).length, 2);
  });

  it('records: delete by ids (one SuccessResponse per id)', async () => {
    const res = await ops().deleteRecords(
      await params(Z.Record.DeleteRecordsParam, { IDS: ids.join(',') }),
    );
    assert.equal(successes(res, 200).length, ids.length);
  });
  // Last: it re-initializes the SDK with a narrow token.
  it('scopes: a token with only Leads READ (and fields READ) reads Leads; a Deal write is an APIException OAUTH_SCOPE_MISMATCH', async () => {
    // The SDK reads field metadata before records, so it needs settings.fields.READ as well.
    const { refreshToken } = issueTokens(
      sandbox,
      'ZohoCRM.modules.leads.READ,ZohoCRM.settings.fields.READ',
    );
    // 204 when the earlier cases deleted every lead: a read, not a refusal.
    assert.ok([200, 204].includes(await connectAndList((b) => b.refreshToken(refreshToken))));
    const res = await new Z.Record.RecordOperations('Deals').createRecords(
      body([leadRecord({ Deal_Name: 'Sdk-scope' })]),
    );
    const error = objectOf(res, 401, 'APIException');
    assert.equal(valueOf(error.getCode()), 'OAUTH_SCOPE_MISMATCH');
    assert.equal(valueOf(error.getMessage()), 'invalid oauth scope to access this URL');
    assert.equal(valueOf(error.getStatus()), 'error');
  });
});
