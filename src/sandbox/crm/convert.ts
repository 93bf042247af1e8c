/**
 * POST /Leads/{id}/actions/convert: one lead into a contact, an account and optionally a deal.
 *
 * Sources: Zoho's v8 OpenAPI convert_lead.json (the body `{ data: [Lead_Converter] }` with
 * overwrite, notify_lead_owner, notify_new_entity_owner, Accounts / Contacts / assign_to as
 * `{ id }`, Deals as the new deal's fields; the answer Success_Response `{ code: SUCCESS,
 * message: "The record has been converted successfully", details: { Contacts, Accounts, Deals } }`;
 * the errors ID_ALREADY_CONVERTED and Invalid_URL_ID with `resource_path_index`,
 * MANDATORY_NOT_FOUND / INVALID_DATA with `api_name` and `json_path`); Zoho's Deluge page
 * "Convert Lead in Zoho CRM V8" (a new contact and account unless existing ids are given, a deal
 * only when the Deals fields are given). **Unverified**, modelled as Zoho's web UI behaves: the
 * account is made from the lead's Company (no Company, no account: `Accounts: null`, as `Deals:
 * null` without a deal), a contact with the lead's e-mail is reused rather than duplicated, the
 * fields copied are those of the same API name in both modules, and the status of the refusals
 * (400). Converted leads stay listed (Zoho hides them from lists; not modelled).
 */
import type { SandboxReply, SandboxRequest } from '../types';
import type { CrmContext } from './context';
import type { CrmStore } from './store';
import type { ModuleDef, RecordData, StoredRecord } from './types';
import { minified } from './users';
import { validateRecord } from './validate';
import { error, isObject, isZohoId } from './util';

/** The leads each store has converted (a second conversion is ID_ALREADY_CONVERTED). */
const converted = new WeakMap<CrmStore, Set<string>>();

const SUCCESS_MESSAGE = 'The record has been converted successfully';

/** Path `/crm/v8/Leads/{id}/actions/convert`: the id is segment 1 after the version. */
const badLeadId = (): SandboxReply =>
  error(400, 'INVALID_DATA', 'invalid data', { resource_path_index: 1 });

const invalidValue = (key: string): SandboxReply => ({
  status: 400,
  body: {
    data: [
      {
        status: 'error',
        code: 'INVALID_DATA',
        message: 'invalid data',
        details: { api_name: key, json_path: `$.data[0].${key}` },
      },
    ],
  },
});

/** Fields of `from` that `to` has under the same API name (writable ones only). */
function mapped(from: RecordData, to: ModuleDef): RecordData {
  const out: RecordData = {};
  for (const f of to.fields) {
    if (f.readOnly || f.type === 'lookup') continue;
    const v = from[f.api_name];
    if (v !== undefined && v !== null && v !== '') out[f.api_name] = v;
  }
  return out;
}

const named = (c: CrmContext, rec: StoredRecord | undefined) =>
  rec ? { name: c.store.displayName(rec), id: rec.id } : null;

/** An `{ id }` option naming a record of `module`, or the error answer. */
function existing(
  c: CrmContext,
  entry: Record<string, unknown>,
  key: 'Accounts' | 'Contacts',
): StoredRecord | SandboxReply | undefined {
  const v = entry[key];
  if (v === undefined || v === null) return undefined;
  const id = isObject(v) ? v.id : v;
  const rec = isZohoId(id) ? c.store.get(key, id) : undefined;
  return rec ?? invalidValue(key);
}

const isRec = (v: unknown): v is StoredRecord => isObject(v) && 'module' in v && 'data' in v;

export function convertLead(c: CrmContext, req: SandboxRequest): SandboxReply {
  const { store } = c;
  const id = req.params.id ?? '';
  const lead = isZohoId(id) ? store.get('Leads', id) : undefined;
  if (!lead) return badLeadId();
  const done = converted.get(store) ?? new Set<string>();
  converted.set(store, done);
  if (done.has(id))
    return error(400, 'ID_ALREADY_CONVERTED', 'id already converted', { resource_path_index: 1 });
  const body = isObject(req.body) ? req.body.data : undefined;
  const entry = Array.isArray(body) && isObject(body[0]) ? body[0] : undefined;
  if (!entry)
    return error(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
      api_name: 'data',
      json_path: '$.data',
    });
  const account = existing(c, entry, 'Accounts');
  const contact = existing(c, entry, 'Contacts');
  if (account && !isRec(account)) return account;
  if (contact && !isRec(contact)) return contact;
  const assign = isObject(entry.assign_to) ? entry.assign_to.id : entry.assign_to;
  const owner = typeof assign === 'string' ? store.user(assign) : undefined;
  if (assign !== undefined && !owner) return invalidValue('assign_to');

  const modules = store.modules;
  const dealDef = modules.get('Deals');
  let dealData: RecordData | undefined;
  if (entry.Deals !== undefined && entry.Deals !== null && dealDef) {
    const checked = validateRecord(dealDef, entry.Deals, 0, store, undefined, new Map());
    if (!checked.ok) {
      const details = { ...checked.error.details };
      if (typeof details.json_path === 'string')
        details.json_path = details.json_path.replace('$.data[0].', '$.data[0].Deals.');
      return { status: 400, body: { data: [{ ...checked.error, details }] } };
    }
    dealData = checked.data;
  }

  const opts = { user: owner };
  const created: StoredRecord[] = [];
  const insert = (module: string, data: RecordData): StoredRecord => {
    // The new records belong to assign_to, else to the lead's owner (copied with its fields).
    const rec = store.insert(module, [owner ? { ...data, Owner: minified(owner) } : data], opts)[0];
    created.push(rec);
    return rec;
  };
  const overwrite = entry.overwrite === true;
  const leadData = lead.data;
  const contactsDef = modules.get('Contacts');
  const accountsDef = modules.get('Accounts');
  let acc: StoredRecord | undefined = account;
  if (acc && overwrite && accountsDef)
    store.update('Accounts', acc.id, mapped(leadData, accountsDef));
  if (!acc && accountsDef && typeof leadData.Company === 'string' && leadData.Company !== '') {
    const fields = { ...mapped(leadData, accountsDef), Account_Name: leadData.Company };
    acc = store.findUnique('Accounts', 'Account_Name', leadData.Company);
    acc ??= insert('Accounts', fields);
  }
  let con: StoredRecord | undefined = contact;
  if (!con && contactsDef) {
    con = store.findUnique('Contacts', 'Email', leadData.Email);
    if (con && overwrite) store.update('Contacts', con.id, mapped(leadData, contactsDef));
    con ??= insert('Contacts', mapped(leadData, contactsDef));
  } else if (con && overwrite && contactsDef) {
    store.update('Contacts', con.id, mapped(leadData, contactsDef));
  }
  if (con && acc) store.update('Contacts', con.id, { Account_Name: { id: acc.id } });
  let deal: StoredRecord | undefined;
  if (dealData) {
    const links: RecordData = {};
    if (acc) links.Account_Name = { id: acc.id };
    if (con) links.Contact_Name = { id: con.id };
    deal = insert('Deals', { ...dealData, ...links });
  }
  done.add(id);
  for (const rec of created)
    c.emit({
      module: rec.module,
      operation: 'insert',
      ids: [rec.id],
      fields: Object.keys(rec.data),
    });
  return {
    status: 200,
    body: {
      data: [
        {
          code: 'SUCCESS',
          message: SUCCESS_MESSAGE,
          status: 'success',
          details: { Contacts: named(c, con), Accounts: named(c, acc), Deals: named(c, deal) },
        },
      ],
    },
  };
}
