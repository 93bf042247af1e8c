/**
 * crm-record's send mail in a real Node-RED runtime against the sandbox: the sender from the
 * node only, recipients and subject from the node or msg, content from msg.payload, the mail the
 * sandbox recorded, Zoho's refusal and a grant without the send_mail scope as one catchable
 * error each, bad input refused before anything is sent, and the editor's sender picker.
 */
import * as assert from 'node:assert/strict';
import { helper, unloadFlow } from '../helpers/red';
import { DEFAULT_CLIENT } from '../helpers/sandbox';
import { AnyMsg, crmHarness } from './crm-harness';

describe('crm-record node: send mail', function () {
  this.timeout(30_000);
  const h = crmHarness('crm-record');
  const sender = () => h.crm.store.currentUser.email;
  const lead = () =>
    h.crm.store.insert('Leads', [{ Last_Name: 'Boyle', Email: 'pat@zylker.com' }])[0].id;
  const mailNode = (extra: Record<string, unknown> = {}) => ({
    operation: 'sendMail',
    module: 'Leads',
    recordId: '',
    recordIdType: 'str',
    mailFrom: sender(),
    mailFromType: 'str',
    subject: 'Welcome',
    subjectType: 'str',
    content: 'payload',
    contentType: 'msg',
    ...extra,
  });

  function assertCaught(o: Awaited<ReturnType<typeof h.exec>>, code: string): AnyMsg {
    assert.equal(o.dones.length, 1);
    assert.ok(o.dones[0]);
    assert.equal(o.out.length, 0);
    assert.equal(o.caught.length, 1);
    assert.equal(o.caught[0].error.code, code, o.caught[0].error.message);
    return o.caught[0];
  }

  beforeEach(() => {
    h.crm.mailer.sent.length = 0;
  });

  it('sends from the node’s sender to msg.to with msg.payload as content; msg.from is not the sender', async function () {
    const id = lead();
    await h.load(mailNode({ cc: 'boss@zylker.com', ccType: 'str' }));
    const o = await h.exec({
      recordId: id,
      to: 'pat@zylker.com, sam@zylker.com',
      from: 'someone@elsewhere.com', // as an e-mail-in node sets it
      payload: '<p>Hello Pat</p>',
    });
    assert.equal(o.dones.length, 1);
    assert.equal(o.dones[0], undefined, String((o.dones[0] as Error | undefined)?.message));
    assert.equal(o.out.length, 1);
    assert.equal(o.out[0].payload.recordId, id);
    assert.match(String(o.out[0].payload.details.message_id), /^\d+$/);
    assert.equal(h.crm.mailer.sent.length, 1);
    const sent = h.crm.mailer.sent[0];
    assert.equal(sent.recordId, id);
    assert.deepEqual(sent.mail, {
      from: { email: sender() },
      to: [{ email: 'pat@zylker.com' }, { email: 'sam@zylker.com' }],
      cc: [{ email: 'boss@zylker.com' }],
      mail_format: 'html',
      subject: 'Welcome',
      content: '<p>Hello Pat</p>',
    });
    assert.equal(h.crmRequests().length, 1);
  });

  it('msg.subject overrides the node’s; a template needs no subject or content', async function () {
    const id = lead();
    await h.load(mailNode({ recordId: id, to: 'pat@zylker.com', subject: '' }));
    let o = await h.exec({ subject: 'From msg', payload: 'text body' });
    assert.equal(o.out.length, 1);
    assert.equal(h.crm.mailer.sent[0].mail.subject, 'From msg');
    await unloadFlow();
    await h.load(
      mailNode({ recordId: id, to: 'pat@zylker.com', subject: '', templateId: '123456' }),
    );
    o = await h.exec({ payload: '' });
    assert.equal(o.out.length, 1, String(o.caught[0]?.error?.message));
    assert.deepEqual(h.crm.mailer.sent[1].mail.template, { id: '123456' });
  });

  it('refuses before sending: a module Zoho does not mail from, a bad address, no subject, no record', async function () {
    await h.load(mailNode({ module: 'Tasks', recordId: '123', to: 'a@b.com' }));
    let caught = assertCaught(await h.exec({ payload: 'x' }), 'INVALID_INPUT');
    assert.equal(caught._error.param, 'module');
    await unloadFlow();
    await h.load(mailNode({ recordId: '123', subject: '' }));
    caught = assertCaught(
      await h.exec({ to: 'not an address', subject: 'S', payload: 'x' }),
      'INVALID_INPUT',
    );
    assert.equal(caught._error.param, 'to');
    caught = assertCaught(await h.exec({ to: 'a@b.com', payload: 'x' }), 'INVALID_INPUT');
    assert.equal(caught._error.param, 'subject');
    await unloadFlow();
    await h.load(mailNode({ to: 'a@b.com' }));
    caught = assertCaught(await h.exec({ payload: 'x' }), 'INVALID_INPUT');
    assert.equal(caught._error.param, 'recordId');
    assert.deepEqual(h.crmRequests(), [], 'nothing sent');
    assert.equal(h.crm.mailer.sent.length, 0);
  });

  it('Zoho’s refusal (a sender not among the from addresses) fails the message once', async function () {
    await h.load(mailNode({ recordId: lead(), to: 'pat@zylker.com', mailFrom: 'x@y.com' }));
    assertCaught(await h.exec({ payload: 'x' }), 'INVALID_DATA');
    assert.equal(h.crm.mailer.sent.length, 0);
  });

  it('a connection granted before send_mail: one catchable error naming ZohoCRM.send_mail.all.CREATE', async function () {
    const scope = 'ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.users.READ';
    const { clientId, clientSecret } = DEFAULT_CLIENT;
    const refreshToken = h.sb.sandbox.accounts.issueRefreshToken({ clientId, scope });
    await h.load(mailNode({ recordId: lead(), to: 'pat@zylker.com' }), [], {
      clientId,
      clientSecret,
      refreshToken,
    });
    const o = await h.exec({ payload: 'x' });
    const caught = assertCaught(o, 'OAUTH_SCOPE_MISMATCH');
    assert.equal(caught._error.kind, 'scope');
    assert.match(caught.error.message, /ZohoCRM\.send_mail\.all\.CREATE/);
    assert.match(caught.error.message, /connect again/i);
    assert.equal(h.crm.mailer.sent.length, 0);
  });

  it('the editor’s sender picker lists the from addresses, cached', async function () {
    await h.load(mailNode());
    const res = await helper.request().get('/zoho-crm/c1/from-addresses');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.fromAddresses.map((a: AnyMsg) => a.email),
      [sender()],
    );
    await helper.request().get('/zoho-crm/c1/from-addresses');
    const calls = h
      .crmRequests()
      .filter((r) => r.path === '/crm/v8/settings/emails/actions/from_addresses');
    assert.equal(calls.length, 1, 'the second ask came from the cache');
  });
});
