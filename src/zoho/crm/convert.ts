/**
 * Zoho CRM lead conversion (API v8, convert_lead.json): `POST /Leads/{id}/actions/convert` turns
 * one lead into a contact and an account (new ones, or existing ones given by id) and, when the
 * deal's fields are given, a deal. One lead a call; Zoho weighs it 5 credits (core/credits.ts).
 */
import { ZohoError, invalidInput } from '../core/errors';
import { checkRecordId, isPlainObject } from '../core/validate';
import { Requester, asRecord, dataOf, path } from './common';

export const LEADS_MODULE = 'Leads';

export interface ConvertLeadOptions {
  /** Overwrite the existing contact's / account's fields with the lead's (Zoho's `overwrite`). */
  overwrite?: boolean;
  /** Mail the lead's owner about the conversion (`notify_lead_owner`). */
  notifyLeadOwner?: boolean;
  /** Mail the owner of the new records (`notify_new_entity_owner`). */
  notifyNewEntityOwner?: boolean;
  /** An existing account to convert into instead of a new one. */
  accountId?: unknown;
  /** An existing contact to convert into instead of a new one. */
  contactId?: unknown;
  /** The user (id) who owns the new records; the lead's owner when absent. */
  assignTo?: unknown;
  /** The new deal's fields (Deal_Name, Stage, Closing_Date, …); no deal when absent. */
  deal?: unknown;
  signal?: AbortSignal;
}

/** What a conversion made: the ids (and names) of the contact, account and deal, if any. */
export interface ConvertLeadResult {
  leadId: string;
  contactId: string | null;
  accountId: string | null;
  dealId: string | null;
  /** Zoho's `details` as it answered them: `{ Contacts, Accounts, Deals }`, each `{ id, name }` or null. */
  details: Record<string, unknown>;
}

const flagOf = (value: unknown, param: string): boolean | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidInput(`${param} must be true or false`, param);
  return value;
};

/** The request body's one entry, checked; nothing is sent when an option is wrong. */
function converter(options: ConvertLeadOptions): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  const overwrite = flagOf(options.overwrite, 'overwrite');
  const notifyLead = flagOf(options.notifyLeadOwner, 'notifyLeadOwner');
  const notifyNew = flagOf(options.notifyNewEntityOwner, 'notifyNewEntityOwner');
  if (overwrite !== undefined) entry.overwrite = overwrite;
  if (notifyLead !== undefined) entry.notify_lead_owner = notifyLead;
  if (notifyNew !== undefined) entry.notify_new_entity_owner = notifyNew;
  const idOf = (value: unknown, param: string, what: string) =>
    value === undefined || value === null || value === ''
      ? undefined
      : { id: checkRecordId(value, param, what) };
  const account = idOf(options.accountId, 'accountId', 'account id');
  const contact = idOf(options.contactId, 'contactId', 'contact id');
  const owner = idOf(options.assignTo, 'assignTo', 'user id');
  if (account) entry.Accounts = account;
  if (contact) entry.Contacts = contact;
  if (owner) entry.assign_to = owner;
  if (options.deal !== undefined && options.deal !== null && options.deal !== '') {
    if (!isPlainObject(options.deal) || Object.keys(options.deal).length === 0)
      throw invalidInput(
        'The deal is an object of Deals fields, e.g. { "Deal_Name": "…", "Stage": "Qualification" }',
        'deal',
      );
    if ('id' in options.deal)
      throw invalidInput('The deal is a new record: give its fields, not an id', 'deal');
    entry.Deals = options.deal;
  }
  return entry;
}

const idIn = (value: unknown): string | null => {
  const id = asRecord(value)?.id ?? value;
  return typeof id === 'string' && id !== '' ? id : null;
};

/** Converts one lead; Zoho's refusal (already converted, a deal field missing) is thrown. */
export async function convertLead(
  conn: Requester,
  leadId: unknown,
  options: ConvertLeadOptions = {},
): Promise<ConvertLeadResult> {
  const id = checkRecordId(leadId, 'recordId', 'lead id');
  const body = { data: [converter(options)] };
  const res = await conn.request({
    product: 'crm',
    method: 'POST',
    path: path(LEADS_MODULE, id, 'actions', 'convert'),
    body,
    signal: options.signal,
  });
  // Zoho may answer 2xx with an error entry (convert_lead.json lists 202 with data[] errors).
  const entry = asRecord(dataOf(res.data)[0]) ?? asRecord(res.data);
  if (!entry || entry.status !== 'success') {
    throw new ZohoError({
      code: typeof entry?.code === 'string' ? entry.code : 'UNEXPECTED_RESPONSE',
      message:
        typeof entry?.message === 'string' ? entry.message : 'Zoho did not confirm the conversion',
      status: res.status,
      details: entry?.details ?? res.data,
    });
  }
  const details = asRecord(entry.details) ?? {};
  return {
    leadId: id,
    contactId: idIn(details.Contacts),
    accountId: idIn(details.Accounts),
    dealId: idIn(details.Deals),
    details,
  };
}
