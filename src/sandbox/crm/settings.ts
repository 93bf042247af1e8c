/**
 * settings/modules, settings/fields, users and org, in Zoho's shapes.
 */
import { licenseDetails } from '../editions';
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { fieldMetadata, moduleMetadata } from './metadata';
import { paging } from './records';
import { minified } from './store';
import { zoneForOffset } from './time-zone';
import type { CrmUser } from './types';
import { error, invalidModule, invalidParam, noContent, paramMissing, splitList } from './util';

export function listModules(c: CrmContext): SandboxReply {
  const modules = c.store.modules.list().map((def, i) => moduleMetadata(c.store, def, i, false));
  return { status: 200, body: { modules } };
}

export function getModule(c: CrmContext, req: SandboxRequest): SandboxReply {
  const name = req.params.api_name ?? '';
  const list = c.store.modules.list();
  const index = list.findIndex((m) => m.api_name === name || m.id === name);
  if (index < 0) return invalidModule();
  return { status: 200, body: { modules: [moduleMetadata(c.store, list[index], index, true)] } };
}

export function listFields(c: CrmContext, req: SandboxRequest): SandboxReply {
  const name = req.query.get('module');
  if (name === null || name === '') return paramMissing('module');
  const def = c.store.modules.get(name);
  // A module named by a query parameter: OAS fields.json `InvalidParamError` names it by
  // `api_name` (its value "module" is **unverified**), not by a path index.
  if (!def)
    return error(400, 'INVALID_MODULE', 'The module name given seems to be invalid', {
      api_name: 'module',
    });
  // Every emulated field is in use: type=unused lists nothing.
  const fields =
    req.query.get('type') === 'unused'
      ? []
      : def.fields.map((f, i) => fieldMetadata(c.store, def, f, i));
  if (fields.length === 0) return noContent();
  return { status: 200, body: { fields } };
}

const USER_TYPES = [
  'AllUsers',
  'ActiveUsers',
  'DeactiveUsers',
  'ConfirmedUsers',
  'NotConfirmedUsers',
  'DeletedUsers',
  'ActiveConfirmedUsers',
  'AdminUsers',
  'ActiveConfirmedAdmins',
  'CurrentUser',
];

function userBody(c: CrmContext, u: CrmUser): Record<string, unknown> {
  const admin = minified(c.store.currentUser);
  return {
    country: 'US',
    language: 'en_US',
    microsoft: false,
    id: u.id,
    state: null,
    fax: null,
    country_locale: 'en_US',
    zip: null,
    created_time: '2024-01-02T09:00:00+00:00',
    time_format: 'hh:mm a',
    offset: c.store.offsetMinutes * 60000,
    profile: {
      name: u.profile,
      id: u.profile === 'Administrator' ? '4876876000000026011' : '4876876000000026014',
    },
    role: { name: u.role, id: u.role === 'CEO' ? '4876876000000026005' : '4876876000000026008' },
    created_by: { name: admin.name, id: admin.id },
    full_name: u.name,
    zuid: String(60000000 + Number(u.id.slice(-4))),
    phone: null,
    dob: null,
    status: u.status,
    customize_info: {
      notes_desc: null,
      show_right_panel: null,
      bc_view: null,
      unpin_recent_item: null,
      show_home: false,
      show_detail_view: true,
    },
    city: null,
    signature: null,
    sort_order_preference__s: 'First Name,Last Name',
    category: 'regular_user',
    date_format: 'MMM d, yyyy',
    confirm: true,
    decimal_separator: 'Period',
    number_separator: null,
    last_name: u.last_name,
    mobile: null,
    Currency: 'USD',
    Modified_Time: '2024-01-02T09:00:00+00:00',
    website: null,
    status_reason__s: null,
    email: u.email,
    first_name: u.first_name,
    sandboxDeveloper: false,
    alias: null,
    street: null,
    Modified_By: { name: admin.name, id: admin.id, first_name: 'Sandbox', last_name: 'Admin' },
    Isonline: u.id === c.store.currentUser.id,
    locale: 'en_US',
    name_format__s: 'Salutation,First Name,Last Name',
    personal_account: false,
    default_tab_group: '0',
    type: 'Production',
  };
}

export function listUsers(c: CrmContext, req: SandboxRequest): SandboxReply {
  const type = req.query.get('type') ?? 'AllUsers';
  if (!USER_TYPES.includes(type)) return invalidParam('type', { supported_values: USER_TYPES });
  const pg = paging(req);
  if (isReply(pg)) return pg;
  const { page, perPage } = pg;
  let users = c.store.users;
  const active = (u: CrmUser): boolean => u.status === 'active';
  if (type === 'CurrentUser') users = [c.store.currentUser];
  else if (type === 'ActiveUsers' || type === 'ActiveConfirmedUsers') users = users.filter(active);
  else if (type === 'DeactiveUsers') users = users.filter((u) => !active(u));
  else if (type === 'AdminUsers' || type === 'ActiveConfirmedAdmins') {
    users = users.filter((u) => u.profile === 'Administrator');
  } else if (type === 'NotConfirmedUsers' || type === 'DeletedUsers') users = [];
  const ids = req.query.get('ids');
  if (ids !== null) {
    const wanted = new Set(splitList(ids));
    users = users.filter((u) => wanted.has(u.id));
  }
  const start = (page - 1) * perPage;
  const slice = users.slice(start, start + perPage);
  if (slice.length === 0) return noContent();
  return {
    status: 200,
    body: {
      users: slice.map((u) => userBody(c, u)),
      info: {
        per_page: perPage,
        count: slice.length,
        page,
        more_records: start + perPage < users.length,
      },
    },
  };
}

export function getUser(c: CrmContext, req: SandboxRequest): SandboxReply {
  const u = c.store.user(req.params.user ?? '');
  if (!u)
    return error(400, 'INVALID_DATA', 'the id given seems to be invalid', {
      resource_path_index: 1,
    });
  return { status: 200, body: { users: [userBody(c, u)] } };
}

export function getOrg(c: CrmContext): SandboxReply {
  const admin = c.store.currentUser;
  const options = c.sandbox.options;
  return {
    status: 200,
    body: {
      org: [
        {
          country: 'United States',
          photo_id: null,
          city: 'Pleasanton',
          description: 'Zoho CRM emulated by node-red-contrib-zoho',
          mc_status: false,
          gapps_enabled: false,
          translation_enabled: true,
          street: '4141 Hacienda Drive',
          domain_name: 'org60001234',
          alias: null,
          currency: 'US Dollar - USD',
          id: '4876876000000017001',
          state: 'California',
          fax: null,
          zip: '94588',
          employee_count: '50',
          website: 'https://sandbox.zoho.example',
          currency_symbol: '$',
          mobile: null,
          currency_locale: 'en_US',
          primary_zuid: '60001234',
          zia_portal_id: null,
          time_zone: zoneForOffset(c.store.offsetMinutes),
          zgid: '60001235',
          country_code: 'US',
          deletable_org_account: false,
          license_details: licenseDetails(options.edition, options.paidType, options.licensedUsers),
          hierarchy_preferences: { type: 'Role_Hierarchy', strictly_reporting: false },
          phone: '+1 925 924 9500',
          company_name: 'Sandbox Industries',
          privacy_settings: true,
          primary_email: admin.email,
          iso_code: 'USD',
          hipaa_compliance_enabled: false,
          lite_users_enabled: false,
          max_per_page: 200,
          ezgid: '60001236',
          call_icon: 'default',
          oauth_presence: true,
          zia_zgid: 60001237,
          checkin_preferences: { restricted_event_types: [] },
          type: 'Production',
          created_time: '2024-01-02T09:00:00+00:00',
        },
      ],
    },
  };
}
