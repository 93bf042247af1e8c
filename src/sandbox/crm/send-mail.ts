/**
 * Send mail:
 *   GET  /settings/emails/actions/from_addresses   `{ from_addresses: [{ email, user_name, type, id, default }] }`
 *   POST /{module}/{id}/actions/send_mail          `{ data: [{ from, to, cc, bcc, reply_to, … }] }`
 *
 * Sources: Zoho's send-mail pages (v3 to v5 `send-mail.html`: the request keys, from and to
 * mandatory, supported modules Leads, Contacts, Deals, Accounts, Sales Orders, Purchase Orders,
 * Invoices, Quotes, Cases and custom); the CRM SDK (send_mail UserAddress: user_name, type, email,
 * id, default; ResponseWrapper from_addresses; SuccessResponse status, code, message, details).
 * The answer's message text and `details.message_id`, the refusal codes (a sender not among
 * the from addresses, a missing key, another module) and the from addresses being the current
 * user's are **unverified** (docs/ZOHO-FACTS.md, Send mail). Sent mails are kept (the last
 * MAILS_KEPT) so tests can read them; nothing is delivered.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { error, isObject } from './util';

export const MAILS_KEPT = 1000;
const MAIL_MODULES = new Set(
  'Leads Contacts Deals Accounts Sales_Orders Purchase_Orders Invoices Quotes Cases'.split(' '),
);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SentMail {
  module: string;
  recordId: string;
  mail: Record<string, unknown>;
  messageId: string;
  at: number;
}

const invalid = (api: string): SandboxReply => ({
  status: 400,
  body: {
    data: [
      {
        code: 'INVALID_DATA',
        details: { api_name: api, json_path: `$.data[0].${api}` },
        message: 'invalid data',
        status: 'error',
      },
    ],
  },
});

const mandatory = (api: string): SandboxReply => ({
  status: 400,
  body: {
    data: [
      {
        code: 'MANDATORY_NOT_FOUND',
        details: { api_name: api, json_path: `$.data[0].${api}` },
        message: 'required field not found',
        status: 'error',
      },
    ],
  },
});

const emailOf = (v: unknown): string | undefined =>
  isObject(v) && typeof v.email === 'string' && EMAIL_RE.test(v.email) ? v.email : undefined;

export class Mailer {
  /** The mails sent, oldest first (at most MAILS_KEPT). */
  readonly sent: SentMail[] = [];

  constructor(private readonly c: CrmContext) {}

  fromAddresses(): {
    email: string;
    user_name: string;
    type: string;
    id: string;
    default: boolean;
  }[] {
    const user = this.c.store.currentUser;
    return [
      { email: user.email, user_name: user.name, type: 'primary', id: user.id, default: true },
    ];
  }

  listFrom(): SandboxReply {
    return { status: 200, body: { from_addresses: this.fromAddresses() } };
  }

  send(req: SandboxRequest): SandboxReply {
    const { c } = this;
    const def = c.module(req);
    if (isReply(def)) return def;
    if (!MAIL_MODULES.has(def.api_name) && def.generated_type !== 'custom')
      return error(400, 'NOT_SUPPORTED', 'send mail is not supported for this module', {
        resource_path_index: 0,
      });
    const id = req.params.id ?? '';
    if (!c.store.get(def.api_name, id))
      return error(400, 'INVALID_DATA', 'the related id given seems to be invalid', {
        resource_path_index: 1,
      });
    const body = isObject(req.body) ? req.body : {};
    const mail = Array.isArray(body.data) && isObject(body.data[0]) ? body.data[0] : undefined;
    if (!mail) return mandatory('data');
    if (mail.from === undefined) return mandatory('from');
    const from = emailOf(mail.from);
    if (!from || !this.fromAddresses().some((a) => a.email === from)) return invalid('from');
    if (!Array.isArray(mail.to) || mail.to.length === 0) return mandatory('to');
    for (const key of ['to', 'cc', 'bcc'] as const) {
      const list = mail[key];
      if (list !== undefined && (!Array.isArray(list) || list.some((a) => !emailOf(a))))
        return invalid(key);
    }
    if (mail.reply_to !== undefined && !emailOf(mail.reply_to)) return invalid('reply_to');
    if (
      mail.mail_format !== undefined &&
      mail.mail_format !== 'html' &&
      mail.mail_format !== 'text'
    )
      return invalid('mail_format');
    if (mail.template === undefined) {
      if (typeof mail.subject !== 'string' || mail.subject === '') return mandatory('subject');
      if (typeof mail.content !== 'string' || mail.content === '') return mandatory('content');
    }
    const messageId = c.store.nextId();
    this.sent.push({ module: def.api_name, recordId: id, mail, messageId, at: c.now() });
    if (this.sent.length > MAILS_KEPT) this.sent.shift();
    return {
      status: 200,
      body: {
        data: [
          {
            code: 'SUCCESS',
            details: { message_id: messageId },
            message: 'Your mail has been sent successfully.',
            status: 'success',
          },
        ],
      },
    };
  }
}
