/**
 * Zoho's metadata shapes for settings/modules and settings/fields. Zoho sends every key and
 * null for the ones that do not apply to a field; so does the sandbox.
 */
import type { CrmStore } from './store';
import { minified } from './store';
import type { FieldDef, ModuleDef } from './types';

const JSON_TYPES: Partial<Record<FieldDef['type'], string>> = {
  integer: 'integer',
  bigint: 'string',
  double: 'double',
  currency: 'double',
  percent: 'double',
  boolean: 'boolean',
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
  multiselectpicklist: 'jsonarray',
  tag: 'jsonarray',
};

const LENGTHS: Partial<Record<FieldDef['type'], number>> = {
  text: 255,
  textarea: 32000,
  email: 100,
  phone: 30,
  website: 255,
  integer: 9,
  bigint: 18,
  double: 16,
  currency: 16,
  percent: 5,
  picklist: 120,
  lookup: 120,
};

/** Field ids derive from the module id and the field's position, so they are stable. */
export function fieldId(def: ModuleDef, index: number): string {
  return String(BigInt(def.id ?? '0') + 100000n + BigInt(index) * 7n);
}

const labelOf = (api: string): string => api.replace(/_/g, ' ').replace(/^\$/, '');

export function fieldMetadata(
  store: CrmStore,
  def: ModuleDef,
  field: FieldDef,
  index: number,
): Record<string, unknown> {
  const target = field.lookup && field.lookup !== '*' ? store.modules.get(field.lookup) : undefined;
  const label = field.label ?? labelOf(field.api_name);
  const picklist = field.type === 'picklist' || field.type === 'multiselectpicklist';
  return {
    associated_module: null,
    data_type: field.type,
    operation_type: {
      web_update: !field.readOnly,
      api_create: !field.readOnly,
      web_create: !field.readOnly,
      api_update: !field.readOnly,
    },
    system_mandatory: field.mandatory === true,
    webhook: true,
    blueprint_supported: !field.readOnly,
    virtual_field: false,
    field_read_only: field.readOnly === true,
    customizable_properties: [],
    read_only: field.readOnly === true,
    custom_field: field.custom === true,
    businesscard_supported: true,
    filterable: true,
    visible: true,
    available_in_user_layout: true,
    display_field: def.display_field === field.api_name,
    pick_list_values_sorted_lexically: false,
    sortable: field.type !== 'textarea' && field.type !== 'multiselectpicklist',
    layout_associations: [],
    separator: false,
    searchable: true,
    enable_colour_code: false,
    mass_update: !field.readOnly && !field.unique,
    json_type: JSON_TYPES[field.type] ?? 'string',
    created_source: field.custom ? 'custom' : 'default',
    type: 'used',
    display_label: label,
    column_name: field.api_name.toUpperCase(),
    api_name: field.api_name,
    display_type: -1,
    ui_type: 1,
    colour_code_enabled_by_system: false,
    length: field.length ?? LENGTHS[field.type] ?? 255,
    decimal_place: ['double', 'currency'].includes(field.type) ? 2 : null,
    quick_sequence_number: String(index + 1),
    email_parser: { fields_update_supported: false, record_operations_supported: false },
    rollup_summary: null,
    refer_from_field: null,
    created_time: null,
    modified_time: null,
    show_type: 7,
    category: 0,
    id: fieldId(def, index),
    multi_module_lookup: null,
    sharing_properties: null,
    currency: field.type === 'currency' ? { rounding_option: 'normal', precision: 2 } : null,
    file_upolad_optionlist: [],
    lookup: target
      ? {
          display_label: label,
          api_name: field.api_name,
          module: { api_name: target.api_name, id: target.id },
          id: fieldId(def, index),
        }
      : null,
    profiles: [
      {
        permission_type: field.readOnly ? 'read_only' : 'read_write',
        name: 'Administrator',
        id: '4876876000000026011',
      },
    ],
    view_type: {
      view: true,
      edit: !field.readOnly,
      quick_create: field.mandatory === true,
      create: !field.readOnly,
    },
    unique: field.unique ? { casesensitive: false } : null,
    sub_module: null,
    subform: null,
    external: null,
    formula: null,
    convert_mapping: null,
    multiselectlookup: null,
    multiuserlookup: null,
    autonumber:
      field.type === 'autonumber'
        ? { starting_number_length: 0, prefix: '', suffix: '', start_number: 1 }
        : null,
    auto_number: null,
    pick_list_values: picklist
      ? (field.values ?? []).map((v, i) => ({
          display_value: v,
          sequence_number: i + 1,
          reference_value: v,
          colour_code: null,
          actual_value: v,
          id: String(BigInt(fieldId(def, index)) + 1000n + BigInt(i)),
          type: 'used',
        }))
      : [],
    crypt: null,
    tooltip: null,
    history_tracking: null,
    association_details: null,
    allowed_modules: null,
    additional_column: null,
    field_label: label,
    'common.picklist': null,
    hipaa_compliance_enabled: false,
    hipaa_compliance: null,
    _update_existing_records: false,
    number_separator: false,
    textarea: field.type === 'textarea' ? { type: 'large' } : null,
    static_field: false,
  };
}

export function moduleMetadata(
  store: CrmStore,
  def: ModuleDef,
  index: number,
  withFields: boolean,
): Record<string, unknown> {
  const custom = def.generated_type === 'custom';
  const out: Record<string, unknown> = {
    has_more_profiles: false,
    access_type: 'org_based',
    'common.search_supported': true,
    deletable: custom,
    description: null,
    creatable: true,
    recycle_bin_on_delete: true,
    inventory_template_supported: ['Quotes'].includes(def.api_name),
    modified_time: null,
    plural_label: def.plural_label,
    presence_sub_menu: true,
    triggers_supported: true,
    id: def.id,
    chart_view: false,
    isBlueprintSupported: true,
    visibility: 1,
    visible: true,
    convertable: def.api_name === 'Leads',
    editable: true,
    emailTemplate_support: true,
    email_parser_supported: false,
    filter_supported: true,
    show_as_tab: true,
    web_link: null,
    sequence_number: index + 1,
    singular_label: def.singular_label,
    viewable: true,
    api_supported: true,
    api_name: def.api_name,
    quick_create: true,
    generated_type: def.generated_type ?? 'default',
    feeds_required: false,
    scoring_supported: true,
    webform_supported: true,
    arguments: [],
    module_name: def.plural_label,
    chart_view_supported: true,
    profile_count: 1,
    business_card_field_limit: 5,
    track_current_data: true,
    modified_by: custom ? minified(store.currentUser) : null,
    profiles: [{ name: 'Administrator', id: '4876876000000026011' }],
    parent_module: {},
    activity_badge: 'Disabled',
    $field_states: [],
    business_card_fields: [],
    per_page: 200,
    $properties: [],
    $on_demand_properties: [],
    search_layout_fields: [],
    kanban_view_supported: true,
    lookup_field_properties: { fields: [] },
    kanban_view: false,
    related_lists: [],
    filter_status: true,
    related_list_properties: null,
    display_field: def.display_field ? { api_name: def.display_field, id: null } : null,
    layouts: [],
    fields: withFields ? def.fields.map((f, i) => fieldMetadata(store, def, f, i)) : [],
    custom_view: null,
    zia_view: false,
    default_mapping_fields: [],
    layout_associations: [],
  };
  if (!withFields) delete out.fields;
  return out;
}
