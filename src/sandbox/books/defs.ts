/**
 * The Zoho Books v3 entity types the sandbox serves: URL name, envelope keys, id field,
 * mandatory fields, default status and the actions with the state they lead to.
 */

export interface ActionDef {
  /** Path after `/<type>/<id>/`, e.g. `email`, `status/sent`, `approve`. */
  path: string;
  /** Status the entity takes; a function when it depends on the current one. */
  to?: string | ((current: unknown) => string);
  /** Statuses from which the action is refused (Zoho code 1003-ish "cannot be done"). */
  notFrom?: string[];
  /** Extra fields set on the entity. */
  set?: Record<string, unknown>;
  /** Body fields Zoho requires (emails: to_mail_ids; see EMAIL_NEEDS). */
  requires?: string[];
  message: string;
}

export interface EntityDef {
  /** URL segment, e.g. `invoices`. */
  name: string;
  /** Key of one entity in answers, e.g. `invoice`. */
  singular: string;
  /** Key of a list in answers, e.g. `invoices` (contact persons: `contact_persons`). */
  plural: string;
  idField: string;
  /** Human name for messages: "Invoice does not exist." */
  label: string;
  mandatory: string[];
  /** Fields that must name an existing contact of the organization. */
  contactRefs?: string[];
  /** Field holding the status, with its initial value. */
  status?: { field: string; initial: string };
  /** Field searched by `search_text` and used as the default `*_contains` target. */
  nameField: string;
  /** Number field generated like INV-000001. */
  number?: { field: string; prefix: string; digits?: number };
  /** Zoho's messages of create / update / delete (the recorded answers; RECORDED below). */
  messages?: { created: string; updated: string; deleted: string };
  /** Parent type for nested resources (contact persons under contacts). */
  parent?: string;
  /** Largest per_page of a list (default 200). */
  maxPerPage?: number;
  actions?: Record<string, ActionDef>;
}

/**
 * What Zoho's "Email a <document>" requires in the body: to_mail_ids always; sales orders and
 * credit notes also subject and body, purchase orders body (Zoho Books API v3 docs of each
 * email call, per issue 20's audit; docs/ZOHO-FACTS.md, Zoho Books).
 */
const EMAIL_NEEDS = {
  plain: ['to_mail_ids'],
  full: ['to_mail_ids', 'subject', 'body'],
  purchase: ['to_mail_ids', 'body'],
};

/**
 * Messages and numbering as a real org answered them: NangoHQ/integration-templates
 * integrations/zoho-books/tests/{create,update,delete}-*.test.json (docs/ZOHO-FACTS.md).
 */
const said = (created: string, updated: string, deleted: string) => ({
  messages: { created, updated, deleted },
});

const fromDraft =
  (to: string): ActionDef['to'] =>
  (c) =>
    c === 'draft' ? to : String(c);

const approval = (label: string): Record<string, ActionDef> => ({
  submit: {
    path: 'submit',
    to: 'pending_approval',
    message: `The ${label} has been submitted for approval.`,
  },
  approve: { path: 'approve', to: 'approved', message: `The ${label} has been approved.` },
});

export const ENTITY_DEFS: EntityDef[] = [
  {
    name: 'contacts',
    ...said(
      'The contact has been added.',
      'Contact information has been saved.',
      'The customer has been deleted.',
    ),
    singular: 'contact',
    plural: 'contacts',
    idField: 'contact_id',
    label: 'Contact',
    mandatory: ['contact_name'],
    status: { field: 'status', initial: 'active' },
    nameField: 'contact_name',
    actions: {
      active: { path: 'active', to: 'active', message: 'The contact has been marked as active.' },
      inactive: {
        path: 'inactive',
        to: 'inactive',
        message: 'The contact has been marked as inactive.',
      },
    },
  },
  {
    name: 'contactpersons',
    singular: 'contact_person',
    plural: 'contact_persons',
    idField: 'contact_person_id',
    label: 'Contact person',
    mandatory: ['first_name'],
    nameField: 'first_name',
    parent: 'contacts',
  },
  {
    name: 'items',
    ...said(
      'The item has been added.',
      'Item details have been saved.',
      'The item has been deleted.',
    ),
    singular: 'item',
    plural: 'items',
    idField: 'item_id',
    label: 'Item',
    mandatory: ['name', 'rate'],
    status: { field: 'status', initial: 'active' },
    nameField: 'name',
    actions: {
      active: { path: 'active', to: 'active', message: 'The item has been marked as active.' },
      inactive: {
        path: 'inactive',
        to: 'inactive',
        message: 'The item has been marked as inactive.',
      },
    },
  },
  {
    name: 'invoices',
    singular: 'invoice',
    plural: 'invoices',
    idField: 'invoice_id',
    label: 'Invoice',
    mandatory: ['customer_id', 'line_items'],
    contactRefs: ['customer_id'],
    status: { field: 'status', initial: 'draft' },
    nameField: 'invoice_number',
    number: { field: 'invoice_number', prefix: 'INV-' },
    ...said(
      'The invoice has been created.',
      'Invoice information has been updated.',
      'The invoice has been deleted.',
    ),
    actions: {
      email: {
        path: 'email',
        to: fromDraft('sent'),
        notFrom: ['void'],
        set: { is_emailed: true },
        requires: EMAIL_NEEDS.plain,
        message: 'Your invoice has been sent.',
      },
      mark_as_sent: {
        path: 'status/sent',
        to: 'sent',
        notFrom: ['void'],
        message: 'Invoice status has been changed to Sent.',
      },
      void: {
        path: 'status/void',
        to: 'void',
        message: 'Invoice status has been changed to Void.',
      },
      mark_as_draft: {
        path: 'status/draft',
        to: 'draft',
        message: 'Status of invoice changed from void to draft.',
      },
      write_off: {
        path: 'writeoff',
        to: 'paid',
        notFrom: ['void', 'draft'],
        message: 'Invoice has been written off.',
      },
      ...approval('invoice'),
    },
  },
  {
    name: 'estimates',
    singular: 'estimate',
    plural: 'estimates',
    idField: 'estimate_id',
    label: 'Estimate',
    mandatory: ['customer_id', 'line_items'],
    contactRefs: ['customer_id'],
    status: { field: 'status', initial: 'draft' },
    nameField: 'estimate_number',
    number: { field: 'estimate_number', prefix: 'QT-' },
    ...said(
      'The quote has been created.',
      'Quote information has been updated.',
      'The quote has been deleted.',
    ),
    actions: {
      email: {
        path: 'email',
        to: fromDraft('sent'),
        set: { is_emailed: true },
        requires: EMAIL_NEEDS.plain,
        message: 'Your estimate has been sent.',
      },
      mark_as_sent: {
        path: 'status/sent',
        to: 'sent',
        message: 'Estimate status has been changed to Sent.',
      },
      mark_as_accepted: {
        path: 'status/accepted',
        to: 'accepted',
        message: 'Estimate status has been changed to Accepted.',
      },
      mark_as_declined: {
        path: 'status/declined',
        to: 'declined',
        message: 'Estimate status has been changed to Declined.',
      },
      ...approval('estimate'),
    },
  },
  {
    name: 'salesorders',
    singular: 'salesorder',
    plural: 'salesorders',
    idField: 'salesorder_id',
    label: 'Sales order',
    mandatory: ['customer_id', 'line_items'],
    contactRefs: ['customer_id'],
    status: { field: 'status', initial: 'draft' },
    nameField: 'salesorder_number',
    number: { field: 'salesorder_number', prefix: 'SO-' },
    actions: {
      open: {
        path: 'status/open',
        to: 'open',
        message: 'Sales order status has been changed to Open.',
      },
      void: {
        path: 'status/void',
        to: 'void',
        message: 'Sales order status has been changed to Void.',
      },
      email: {
        path: 'email',
        to: fromDraft('open'),
        set: { is_emailed: true },
        requires: EMAIL_NEEDS.full,
        message: 'Your sales order has been sent.',
      },
      ...approval('sales order'),
    },
  },
  {
    name: 'purchaseorders',
    singular: 'purchaseorder',
    plural: 'purchaseorders',
    idField: 'purchaseorder_id',
    label: 'Purchase order',
    mandatory: ['vendor_id', 'line_items'],
    contactRefs: ['vendor_id'],
    status: { field: 'status', initial: 'draft' },
    nameField: 'purchaseorder_number',
    number: { field: 'purchaseorder_number', prefix: 'PO-', digits: 5 },
    ...said(
      'Purchase Order has been added.',
      'Purchase Order has been updated.',
      'The purchase order has been deleted.',
    ),
    actions: {
      open: {
        path: 'status/open',
        to: 'open',
        message: 'Purchase order status has been changed to Open.',
      },
      mark_as_billed: {
        path: 'status/billed',
        to: 'billed',
        message: 'Purchase order status has been changed to Billed.',
      },
      cancel: {
        path: 'status/cancelled',
        to: 'cancelled',
        message: 'Purchase order status has been changed to Cancelled.',
      },
      email: {
        path: 'email',
        to: fromDraft('open'),
        set: { is_emailed: true },
        requires: EMAIL_NEEDS.purchase,
        message: 'Your purchase order has been sent.',
      },
      ...approval('purchase order'),
    },
  },
  {
    name: 'bills',
    ...said(
      'The bill has been created.',
      'Bill information has been updated.',
      'The bill has been deleted.',
    ),
    singular: 'bill',
    plural: 'bills',
    idField: 'bill_id',
    label: 'Bill',
    mandatory: ['vendor_id', 'bill_number', 'line_items'],
    contactRefs: ['vendor_id'],
    status: { field: 'status', initial: 'open' },
    nameField: 'bill_number',
    actions: {
      open: { path: 'status/open', to: 'open', message: 'Bill status has been changed to Open.' },
      void: { path: 'status/void', to: 'void', message: 'Bill status has been changed to Void.' },
      ...approval('bill'),
    },
  },
  {
    name: 'creditnotes',
    singular: 'creditnote',
    plural: 'creditnotes',
    idField: 'creditnote_id',
    label: 'Credit note',
    mandatory: ['customer_id', 'line_items'],
    contactRefs: ['customer_id'],
    status: { field: 'status', initial: 'open' },
    nameField: 'creditnote_number',
    number: { field: 'creditnote_number', prefix: 'CN-', digits: 5 },
    ...said(
      'The credit note has been created.',
      'The credit note has been updated.',
      'The credit note has been deleted.',
    ),
    actions: {
      email: {
        path: 'email',
        set: { is_emailed: true },
        requires: EMAIL_NEEDS.full,
        message: 'Your credit note has been sent.',
      },
      open: {
        path: 'status/open',
        to: 'open',
        message: 'Credit note status has been changed to Open.',
      },
      void: {
        path: 'status/void',
        to: 'void',
        message: 'Credit note status has been changed to Void.',
      },
      mark_as_draft: {
        path: 'status/draft',
        to: 'draft',
        message: 'Credit note status has been changed to Draft.',
      },
      ...approval('credit note'),
    },
  },
  {
    name: 'customerpayments',
    ...said(
      'The payment from the customer has been recorded',
      'The details of the payment received from the customer have been updated',
      'The payment has been deleted.',
    ),
    singular: 'payment',
    plural: 'customerpayments',
    idField: 'payment_id',
    label: 'Payment',
    // Zoho's "Create a payment" requires these (issue 20's audit of Books' docs).
    mandatory: ['customer_id', 'payment_mode', 'amount', 'date', 'invoices'],
    contactRefs: ['customer_id'],
    nameField: 'payment_number',
    number: { field: 'payment_number', prefix: '', digits: 1 },
  },
  {
    name: 'vendorpayments',
    ...said(
      'The payment made to the vendor has been recorded',
      'The details of the payment made to the vendor have been updated',
      'The payment has been deleted.',
    ),
    singular: 'vendorpayment',
    plural: 'vendorpayments',
    idField: 'payment_id',
    label: 'Vendor payment',
    mandatory: ['vendor_id', 'amount'],
    contactRefs: ['vendor_id'],
    nameField: 'payment_number',
    // A vendor payment answers status paid (the recorded create-vendor-payment answer).
    status: { field: 'status', initial: 'paid' },
    number: { field: 'payment_number', prefix: '', digits: 1 },
  },
  {
    name: 'expenses',
    singular: 'expense',
    plural: 'expenses',
    idField: 'expense_id',
    label: 'Expense',
    // Zoho's "Create an expense" requires date and paid_through_account_id too (issue 20's
    // audit); a new expense is `nonbillable` (the recorded create-expense answer).
    mandatory: ['account_id', 'date', 'amount', 'paid_through_account_id'],
    status: { field: 'status', initial: 'nonbillable' },
    ...said(
      'The expense has been recorded.',
      'Expense information has been updated.',
      'The expense has been deleted.',
    ),
    nameField: 'description',
  },
  {
    name: 'journals',
    singular: 'journal',
    plural: 'journals',
    idField: 'journal_id',
    label: 'Journal',
    mandatory: ['journal_date', 'line_items'],
    // A new journal is published (the recorded create-journal answer).
    status: { field: 'status', initial: 'published' },
    ...said(
      'The journal entry has been created.',
      'The journal entry has been updated.',
      'The selected journal entry has been deleted.',
    ),
    nameField: 'entry_number',
    number: { field: 'entry_number', prefix: '', digits: 1 },
    actions: {
      publish: {
        path: 'status/publish',
        to: 'published',
        message: 'The journal has been published.',
      },
    },
  },
  {
    name: 'chartofaccounts',
    ...said(
      'The account has been created.',
      'The details of the account have been updated.',
      'The account has been deleted.',
    ),
    singular: 'chart_of_account',
    plural: 'chartofaccounts',
    idField: 'account_id',
    label: 'Account',
    mandatory: ['account_name', 'account_type'],
    // Chart of accounts lists take up to 5,000 a page (issue 20's audit of Books' list docs).
    maxPerPage: 5000,
    status: { field: 'status', initial: 'active' },
    nameField: 'account_name',
    actions: {
      active: {
        path: 'active',
        to: 'active',
        set: { is_active: true },
        message: 'The account has been marked as active.',
      },
      inactive: {
        path: 'inactive',
        to: 'inactive',
        set: { is_active: false },
        message: 'The account has been marked as inactive.',
      },
    },
  },
  {
    name: 'taxes',
    singular: 'tax',
    plural: 'taxes',
    idField: 'tax_id',
    label: 'Tax',
    mandatory: ['tax_name', 'tax_percentage'],
    nameField: 'tax_name',
  },
  {
    // Not in the pack's list of known types: reached "by name" in the tests.
    name: 'recurringinvoices',
    singular: 'recurring_invoice',
    plural: 'recurring_invoices',
    idField: 'recurrence_id',
    label: 'Recurring invoice',
    mandatory: ['recurrence_name', 'customer_id', 'line_items'],
    contactRefs: ['customer_id'],
    status: { field: 'status', initial: 'active' },
    nameField: 'recurrence_name',
    actions: {
      stop: {
        path: 'status/stop',
        to: 'stopped',
        message: 'The recurring invoice has been stopped.',
      },
      resume: {
        path: 'status/resume',
        to: 'active',
        message: 'The recurring invoice has been resumed.',
      },
    },
  },
];

export const ENTITY_BY_NAME = new Map(ENTITY_DEFS.map((d) => [d.name, d]));
