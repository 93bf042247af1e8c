/**
 * settings/layouts?module=X: one layout, "Standard", holding every field of the module in one
 * section, used by both profiles. The keys are those of the SDK's layouts/layouts.js and
 * sections.js; the endpoint, its module parameter and its scope are Zoho's v8 layouts page
 * (docs/ZOHO-FACTS.md, metadata). There is no OAS file for layouts to check the answer against.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import type { CrmContext } from './context';
import { fieldMetadata } from './metadata';
import { minified } from './store';
import { error, paramMissing } from './util';

const PROFILES = [
  { name: 'Administrator', id: '4876876000000026011' },
  { name: 'Standard', id: '4876876000000026014' },
];

export function listLayouts(c: CrmContext, req: SandboxRequest): SandboxReply {
  const name = req.query.get('module');
  if (name === null || name === '') return paramMissing('module');
  const def = c.store.modules.get(name);
  // As settings/fields answers an unknown module (its `api_name: module` **unverified**).
  if (!def)
    return error(400, 'INVALID_MODULE', 'The module name given seems to be invalid', {
      api_name: 'module',
    });
  const id = String(BigInt(def.id ?? '0') + 90000n);
  const admin = minified(c.store.currentUser);
  const section = `${def.singular_label ?? def.api_name} Information`;
  const layout = {
    id,
    name: 'Standard',
    api_name: 'Standard',
    display_label: 'Standard',
    display_type: -1,
    source: 'crm',
    generated_type: 'default',
    status: 'active',
    visible: true,
    show_business_card: false,
    has_more_profiles: false,
    created_time: null,
    created_by: null,
    created_for: null,
    modified_time: '2024-01-02T09:00:00+00:00',
    modified_by: { name: admin.name, id: admin.id },
    mode: null,
    profiles: PROFILES.map((p) => ({ default: true, ...p })),
    sections: [
      {
        id: String(BigInt(id) + 1n),
        api_name: section,
        name: section,
        display_label: section,
        sequence_number: 1,
        column_count: 2,
        tab_traversal: 1,
        generated_type: 'default',
        type: 'used_section',
        properties: null,
        fields: def.fields.map((f, i) => fieldMetadata(c.store, def, f, i)),
      },
    ],
  };
  return { status: 200, body: { layouts: [layout] } };
}
