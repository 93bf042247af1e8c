/**
 * Zoho CRM send mail (docs/ZOHO-FACTS.md "Send mail"): `POST /{module}/{id}/actions/send_mail`
 * mails from a record, `{ data: [{ from, to, cc, bcc, reply_to, org_email, subject, content,
 * mail_format, template }] }` (Zoho's send-mail pages, v3 to v5; the SDK's Mail model). The
 * sender must be one of `GET /settings/emails/actions/from_addresses`. Zoho names the modules
 * that send mail; the other standard modules are refused here, custom modules pass.
 */
import { ZohoError, invalidInput } from '../core/errors';
import { checkRecordId, describeValue, isPlainObject } from '../core/validate';
import { Requester, asRecord, dataOf, path } from './common';
import { checkModule } from './validate';

/** Standard modules Zoho sends mail from ("Supported modules"; custom modules too). */
export const SEND_MAIL_MODULES: readonly string[] = [
  'Leads',
  'Contacts',
  'Deals',
  'Accounts',
  'Sales_Orders',
  'Purchase_Orders',
  'Invoices',
  'Quotes',
  'Cases',
];

/** Standard modules Zoho does not send mail from: refused before sending. */
const NO_MAIL_MODULES = new Set(
  (
    'Campaigns Tasks Events Calls Meetings Solutions Products Vendors Price_Books Notes ' +
    'Appointments Appointments__s Services__s Visits Actions_Performed Attachments Activities'
  ).split(' '),
);

export type MailFormat = 'html' | 'text';

export interface SendMailOptions {
  /** The sender: an address of the org's from addresses, or `{ email, user_name }`. */
  from: unknown;
  /** Recipients: an address, a comma list, an array of addresses or `{ email, user_name }`. */
  to: unknown;
  cc?: unknown;
  bcc?: unknown;
  /** The address replies go to. */
  replyTo?: unknown;
  /** Send from the org's address through Zoho's servers (`org_email`). */
  orgEmail?: boolean;
  subject?: unknown;
  content?: unknown;
  mailFormat?: unknown;
  /** An email template's id: its subject and content are used instead. */
  templateId?: unknown;
  signal?: AbortSignal;
}

export interface MailAddress {
  email: string;
  user_name?: string;
}

export interface SendMailResult {
  module: string;
  recordId: string;
  /** Zoho's `details` (a `message_id` where Zoho gives one). */
  details: Record<string, unknown>;
  message: string;
}

/** One sender address the org may send from (Zoho's from_addresses). */
export interface FromAddress {
  email: string;
  user_name?: string;
  type?: string;
  id?: string;
  default?: boolean;
}

// A pragmatic check (one @, a dot in the domain, no spaces): Zoho checks the rest.
const EMAIL_RE = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

function addressOf(value: unknown, param: string): MailAddress {
  const raw = isPlainObject(value) ? value.email : value;
  const email = typeof raw === 'string' ? raw.trim() : raw;
  if (typeof email !== 'string' || !EMAIL_RE.test(email))
    throw invalidInput(`${describeValue(raw)} is not an e-mail address`, param);
  const name = isPlainObject(value) ? value.user_name : undefined;
  if (name !== undefined && typeof name !== 'string')
    throw invalidInput('user_name must be text', param);
  return name ? { email, user_name: name } : { email };
}

function addressesOf(value: unknown, param: string, required: boolean): MailAddress[] {
  const list =
    value === undefined || value === null || value === ''
      ? []
      : Array.isArray(value)
        ? value
        : typeof value === 'string'
          ? value.split(/[,;]/).filter((s) => s.trim() !== '')
          : [value];
  if (required && list.length === 0) throw invalidInput('No recipient given', param);
  return list.map((v) => addressOf(v, param));
}

const textOrNone = (value: unknown, param: string): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidInput(`${param} must be text`, param);
  return value;
};

/** The request's one mail, checked: nothing is sent when an option is wrong. */
export function mailOf(options: SendMailOptions): Record<string, unknown> {
  const mail: Record<string, unknown> = {
    from: addressOf(options.from, 'from'),
    to: addressesOf(options.to, 'to', true),
  };
  const cc = addressesOf(options.cc, 'cc', false);
  const bcc = addressesOf(options.bcc, 'bcc', false);
  if (cc.length) mail.cc = cc;
  if (bcc.length) mail.bcc = bcc;
  if (options.replyTo !== undefined && options.replyTo !== null && options.replyTo !== '')
    mail.reply_to = addressOf(options.replyTo, 'replyTo');
  if (options.orgEmail !== undefined) {
    if (typeof options.orgEmail !== 'boolean')
      throw invalidInput('orgEmail must be true or false', 'orgEmail');
    mail.org_email = options.orgEmail;
  }
  const format = options.mailFormat ?? 'html';
  if (format !== 'html' && format !== 'text')
    throw invalidInput(`mailFormat is html or text, not ${describeValue(format)}`, 'mailFormat');
  mail.mail_format = format;
  const template = options.templateId;
  if (template !== undefined && template !== null && template !== '') {
    mail.template = { id: checkRecordId(template, 'templateId', 'template id') };
  }
  const subject = textOrNone(options.subject, 'subject');
  const content = textOrNone(options.content, 'content');
  if (!mail.template && subject === undefined)
    throw invalidInput('No subject given (or a template)', 'subject');
  if (!mail.template && content === undefined)
    throw invalidInput('No content given (or a template)', 'content');
  if (subject !== undefined) mail.subject = subject;
  if (content !== undefined) mail.content = content;
  return mail;
}

/** Mails from one record; Zoho's refusal (a sender not allowed, a bad address) is thrown. */
export async function sendMail(
  conn: Requester,
  module: string,
  recordId: unknown,
  options: SendMailOptions,
): Promise<SendMailResult> {
  const mod = checkModule(module);
  if (NO_MAIL_MODULES.has(mod))
    throw invalidInput(
      `Zoho sends mail from ${SEND_MAIL_MODULES.join(', ')} and custom modules, not ${mod}`,
      'module',
    );
  const id = checkRecordId(recordId, 'recordId');
  const body = { data: [mailOf(options)] };
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path: path(mod, id, 'actions', 'send_mail'),
    body,
    signal: options.signal,
  });
  const entry = asRecord(dataOf(res.data)[0]) ?? asRecord(res.data);
  if (!entry || entry.status !== 'success') {
    throw new ZohoError({
      code: typeof entry?.code === 'string' ? entry.code : 'UNEXPECTED_RESPONSE',
      message: typeof entry?.message === 'string' ? entry.message : 'Zoho did not send the mail',
      status: res.status,
      details: entry?.details ?? res.data,
    });
  }
  return {
    module: mod,
    recordId: id,
    details: asRecord(entry.details) ?? {},
    message: typeof entry.message === 'string' ? entry.message : '',
  };
}

/** The addresses the org may send from (users' addresses and the org's own). */
export async function listFromAddresses(
  conn: Requester,
  options: { signal?: AbortSignal } = {},
): Promise<FromAddress[]> {
  const res = await conn.request({
    product: 'crm',
    method: 'GET',
    path: path('settings', 'emails', 'actions', 'from_addresses'),
    signal: options.signal,
  });
  if (res.status === 204) return [];
  const list = asRecord(res.data)?.from_addresses;
  return Array.isArray(list)
    ? list.filter((a): a is FromAddress => typeof asRecord(a)?.email === 'string')
    : [];
}
