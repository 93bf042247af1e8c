/**
 * Shapes of the CRM family: field and module definitions, stored records and users.
 */

/** Zoho's `data_type` values for the field types the sandbox emulates. */
export type FieldType =
  | 'text'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'website'
  | 'integer'
  | 'bigint'
  | 'double'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multiselectpicklist'
  /** Zoho's record tags: an array of `{ name, id, color_code }` (see validate.ts). */
  | 'tag'
  | 'lookup'
  | 'ownerlookup'
  | 'autonumber';

export interface FieldDef {
  api_name: string;
  label?: string;
  type: FieldType;
  /** Zoho's system_mandatory: inserts without it answer MANDATORY_NOT_FOUND. */
  mandatory?: boolean;
  /** Unique field: a second record with the same value answers DUPLICATE_DATA. */
  unique?: boolean;
  /** Maximum length of text values. */
  length?: number;
  /** Allowed values of picklists; empty or absent = any value. */
  values?: string[];
  /** Target module of lookups. */
  lookup?: string;
  /** System fields (Created_Time, …) cannot be written. */
  readOnly?: boolean;
  custom?: boolean;
}

export interface ModuleDef {
  api_name: string;
  singular_label?: string;
  plural_label?: string;
  /** 'custom' for custom modules. */
  generated_type?: 'default' | 'custom';
  fields: FieldDef[];
  /** The field shown as the record's name (lookups carry it as `name`). */
  display_field?: string;
  /** Default duplicate check fields of upsert. */
  duplicate_check?: string[];
  /** Stable module id; generated when absent. */
  id?: string;
}

export interface CrmUser {
  id: string;
  name: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  profile: string;
  status: 'active' | 'disabled';
}

export interface MinifiedUser {
  name: string;
  id: string;
  email: string;
}

export type RecordData = Record<string, unknown>;

export interface StoredRecord {
  id: string;
  module: string;
  /** Field values as Zoho returns them, system fields included. */
  data: RecordData;
  created: number;
  modified: number;
  /** The record's photo ({module}/{id}/photo), if one was uploaded. */
  photo?: { data: Buffer; contentType: string; fileName: string };
}

export interface DeletedEntry {
  id: string;
  module: string;
  display_name: string;
  type: 'recycle' | 'permanent';
  created_by: MinifiedUser;
  deleted_by: MinifiedUser;
  deleted_time: string;
  deletedAt: number;
}

export interface Attachment {
  id: string;
  module: string;
  recordId: string;
  fileName: string;
  contentType: string;
  data: Buffer;
  linkUrl: string | null;
  fileId: string;
  created: number;
  owner: MinifiedUser;
}

/** Payload of the `crm.change` event. */
export interface CrmChange {
  module: string;
  operation: 'insert' | 'update' | 'delete';
  ids: string[];
  /** Fields the write set (inserts and updates). */
  fields?: string[];
  /** Updates: the fields the write set per record id, where they differ between records. */
  fieldsById?: Record<string, string[]>;
  /** Epoch ms. */
  time: number;
}
