/**
 * The Zoho Books v3 record types the pack knows: URL path, envelope keys, id field, parent of
 * nested resources, and the entity actions (email, mark as sent, void, …) with their paths.
 * Any other type can be reached by its URL name (`^[a-z][a-z0-9_]*$`), with get, list,
 * create, update and delete only.
 */

export interface BooksActionInfo {
  /** Path after `/<type>/<id>/`, e.g. `email` or `status/sent`. */
  path: string;
  /** Takes a JSON body, e.g. the email's to_mail_ids and subject. */
  body?: boolean;
  /** Fields Zoho requires in that body: the call is refused before sending without them. */
  requires?: string[];
  description: string;
}

export interface BooksTypeInfo {
  /** Path under /books/v3, e.g. `invoices`, `settings/taxes`. */
  path: string;
  /** Key of one entity in Zoho's answers, e.g. `invoice`. */
  singular: string;
  /** Key of a list in Zoho's answers, e.g. `invoices`. */
  plural: string;
  idField: string;
  label: string;
  /** Nested resources: the parent type whose id goes in the path. */
  parent?: string;
  /**
   * Zoho writes some nested resources on a flat path with the parent id in the body
   * (contact persons: POST /contacts/contactpersons { contact_id }).
   */
  flatWrites?: { path: string; parentField: string };
  /** Fields Zoho requires in an update's body (contact persons: first_name). */
  updateRequires?: string[];
  /** Largest page of a list, when above Books' usual 200 (chart of accounts: 5,000). */
  maxPerPage?: number;
  /** Get answers the document as a PDF with `accept=pdf` (and `print=true`). */
  pdf?: boolean;
  /**
   * The one file Zoho keeps on a record: its path after `/<type>/<id>/` and the multipart
   * field of an upload (invoices and bills: `attachment`; expenses: `receipt`).
   */
  attachment?: { path: string; field: string };
  actions: Record<string, BooksActionInfo>;
  /**
   * How books-watch-in finds changes of the type's list (books/changes.ts): `filter` where Zoho
   * documents the `last_modified_time` filter (read forward from the checkpoint), `sort` where
   * only `sort_column=last_modified_time` is taken (read newest first down to the checkpoint).
   * Absent: the type cannot be watched (nested or settings types). docs/ZOHO-FACTS.md, Books.
   */
  changes?: 'filter' | 'sort';
}

const submitApprove = (label: string): Record<string, BooksActionInfo> => ({
  submit: { path: 'submit', description: `submit the ${label} for approval` },
  approve: { path: 'approve', description: `approve the ${label}` },
});
const activeInactive = (label: string): Record<string, BooksActionInfo> => ({
  active: { path: 'active', description: `mark the ${label} as active` },
  inactive: { path: 'inactive', description: `mark the ${label} as inactive` },
});
/**
 * Zoho's email of a document needs its recipients, `to_mail_ids` (sales orders and credit notes
 * also `subject` and `body`, purchase orders `body`): docs/ZOHO-FACTS.md, Zoho Books. The pack
 * refuses an email without them rather than guess Zoho's default content.
 */
const email = (label: string, also: string[] = []): BooksActionInfo => {
  const requires = ['to_mail_ids', ...also];
  return {
    path: 'email',
    body: true,
    requires,
    description: `email the ${label} (body: ${requires.join(', ')}, optional cc_mail_ids${also.includes('subject') ? '' : ', subject, body'})`,
  };
};
const status = (to: string, label: string): BooksActionInfo => ({
  path: `status/${to}`,
  description: `mark the ${label} as ${to}`,
});

function type(
  path: string,
  singular: string,
  idField: string,
  label: string,
  actions: Record<string, BooksActionInfo> = {},
  extra: Partial<BooksTypeInfo> = {},
): BooksTypeInfo {
  return {
    path,
    singular,
    plural: path.split('/').pop()!,
    idField,
    label,
    actions,
    ...extra,
  };
}

/**
 * Documents Zoho renders as a PDF on get (`accept=pdf`, `print=true`), and the records that keep
 * one attached file: Zoho Books API v3 "Get an invoice" and the response page ("Other Formats");
 * "Add attachment to an invoice / a bill", "Add receipt to an expense" (docs/ZOHO-FACTS.md).
 */
const PDF = { pdf: true };
/** Types listed with the `last_modified_time` filter, and those sorted by it only. */
const FILTERED = { changes: 'filter' } as const;
const SORTED = { changes: 'sort' } as const;
const ATTACHMENT = { attachment: { path: 'attachment', field: 'attachment' } };

export const BOOKS_TYPES: Readonly<Record<string, BooksTypeInfo>> = {
  contacts: type(
    'contacts',
    'contact',
    'contact_id',
    'Contacts',
    activeInactive('contact'),
    SORTED,
  ),
  contactpersons: type(
    'contactpersons',
    'contact_person',
    'contact_person_id',
    'Contact persons',
    {},
    {
      plural: 'contact_persons',
      parent: 'contacts',
      flatWrites: { path: 'contacts/contactpersons', parentField: 'contact_id' },
      // Zoho's "Update a contact person" marks contact_id and first_name required
      // (docs/ZOHO-FACTS.md, Zoho Books); contact_id comes from the parent id.
      updateRequires: ['first_name'],
    },
  ),
  items: type('items', 'item', 'item_id', 'Items', activeInactive('item'), SORTED),
  invoices: type(
    'invoices',
    'invoice',
    'invoice_id',
    'Invoices',
    {
      email: email('invoice'),
      mark_as_sent: status('sent', 'invoice'),
      void: status('void', 'invoice'),
      mark_as_draft: status('draft', 'invoice'),
      write_off: { path: 'writeoff', description: 'write off the invoice' },
      ...submitApprove('invoice'),
    },
    { ...PDF, ...ATTACHMENT, ...FILTERED },
  ),
  estimates: type(
    'estimates',
    'estimate',
    'estimate_id',
    'Estimates',
    {
      email: email('estimate'),
      mark_as_sent: status('sent', 'estimate'),
      mark_as_accepted: status('accepted', 'estimate'),
      mark_as_declined: status('declined', 'estimate'),
      ...submitApprove('estimate'),
    },
    { ...PDF, ...SORTED },
  ),
  salesorders: type(
    'salesorders',
    'salesorder',
    'salesorder_id',
    'Sales orders',
    {
      email: email('sales order', ['subject', 'body']),
      open: status('open', 'sales order'),
      void: status('void', 'sales order'),
      ...submitApprove('sales order'),
    },
    { ...PDF, ...FILTERED },
  ),
  purchaseorders: type(
    'purchaseorders',
    'purchaseorder',
    'purchaseorder_id',
    'Purchase orders',
    {
      email: email('purchase order', ['body']),
      open: status('open', 'purchase order'),
      mark_as_billed: status('billed', 'purchase order'),
      cancel: status('cancelled', 'purchase order'),
      ...submitApprove('purchase order'),
    },
    { ...PDF, ...FILTERED },
  ),
  bills: type(
    'bills',
    'bill',
    'bill_id',
    'Bills',
    {
      open: status('open', 'bill'),
      void: status('void', 'bill'),
      ...submitApprove('bill'),
    },
    { ...ATTACHMENT, ...FILTERED },
  ),
  creditnotes: type(
    'creditnotes',
    'creditnote',
    'creditnote_id',
    'Credit notes',
    {
      email: email('credit note', ['subject', 'body']),
      open: status('open', 'credit note'),
      void: status('void', 'credit note'),
      mark_as_draft: status('draft', 'credit note'),
      ...submitApprove('credit note'),
    },
    { ...PDF, ...SORTED },
  ),
  customerpayments: type(
    'customerpayments',
    'payment',
    'payment_id',
    'Customer payments',
    {},
    SORTED,
  ),
  vendorpayments: type(
    'vendorpayments',
    'vendorpayment',
    'payment_id',
    'Vendor payments',
    {},
    FILTERED,
  ),
  expenses: type(
    'expenses',
    'expense',
    'expense_id',
    'Expenses',
    {},
    { attachment: { path: 'receipt', field: 'receipt' }, ...SORTED },
  ),
  journals: type(
    'journals',
    'journal',
    'journal_id',
    'Journals',
    { publish: { path: 'status/publish', description: 'publish the journal' } },
    FILTERED,
  ),
  chartofaccounts: type(
    'chartofaccounts',
    'chart_of_account',
    'account_id',
    'Chart of accounts',
    activeInactive('account'),
    // Up to 5,000 accounts a page (issue 20's audit of Books' list docs; docs/ZOHO-FACTS.md).
    { maxPerPage: 5000, ...FILTERED },
  ),
  taxes: type('settings/taxes', 'tax', 'tax_id', 'Taxes'),
};

export const BOOKS_OPERATIONS = ['get', 'list', 'create', 'update', 'delete'] as const;
export type BooksCrudOperation = (typeof BOOKS_OPERATIONS)[number];

/** Names of types and actions: a lowercase letter, then lowercase letters, digits and `_`. */
export const BOOKS_NAME_RE = /^[a-z][a-z0-9_]*$/;

/** A known type's description, or undefined (also for names like `constructor`). */
export function booksTypeInfo(
  recordType: string,
  types: Readonly<Record<string, BooksTypeInfo>> = BOOKS_TYPES,
): BooksTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(types, recordType) ? types[recordType] : undefined;
}

/** The operations on the one file of invoices, bills (attachment) and expenses (receipt). */
export const BOOKS_ATTACHMENT_OPERATIONS = [
  'add_attachment',
  'get_attachment',
  'delete_attachment',
] as const;

/**
 * The operations a record type offers: get, list, create, update, delete, its actions, and the
 * attachment operations where it keeps a file.
 */
export function booksOperations(recordType: string): string[] {
  const info = booksTypeInfo(recordType);
  return [
    ...BOOKS_OPERATIONS,
    ...Object.keys(info?.actions ?? {}),
    ...(info?.attachment ? BOOKS_ATTACHMENT_OPERATIONS : []),
  ];
}
