/**
 * How Zoho Books lists each type: the `filter_by` values it knows (any other is code 2), the
 * default filter and sort, whether `last_modified_time` filters ("modified at or after"), and
 * which query parameters filter at all (others are ignored, not equality filters).
 *
 * Sources (issue 20's audit of Zoho's Books v3 docs, list endpoints of each type): filter_by
 * values per type; `last_modified_time` documented on invoices, bills, purchase orders, sales
 * orders, journals, chart of accounts and vendor payments only; default sorts (documents
 * `created_time` descending, contacts `contact_name`, items `name`, payments `date` descending,
 * journals `journal_date` descending, chart of accounts `account_type`). The recorded list
 * answers' page_context (NangoHQ/integration-templates) name `applied_filter` and `sort_column`.
 * Values the audit did not name are marked unverified in docs/ZOHO-FACTS.md.
 */
import { jsonText } from '../body';
import type { EntityDef } from './defs';
import type { Entity } from './store';
import { orgDay, parseBooksTime } from './time';

type Test = (e: Entity, today: string) => boolean;

export interface ListRules {
  /** filter_by value -> test; the first key is the default. */
  filters: Record<string, Test>;
  sort: { column: string; order: 'A' | 'D' };
  /** `last_modified_time` keeps what was modified at or after it. */
  modifiedSince: boolean;
  /** page_context keys between applied_filter and sort_column, as the recorded answers have them. */
  context: Record<string, unknown>;
}

const text = (v: unknown): string =>
  v === undefined || v === null ? '' : jsonText(v).toLowerCase();
const all: Test = () => true;
const statusIn =
  (...values: string[]): Test =>
  (e) =>
    values.includes(text(e.status));
const field =
  (name: string, ...values: string[]): Test =>
  (e) =>
    values.includes(text(e[name]));

/** Status.<X> for each of Zoho's status words of a type (Status.All first). */
function statuses(words: Record<string, string[]>): Record<string, Test> {
  const out: Record<string, Test> = { 'Status.All': all };
  for (const [word, values] of Object.entries(words)) out[`Status.${word}`] = statusIn(...values);
  return out;
}

const PAYMENT_MODES = ['Check', 'Cash', 'BankTransfer', 'Paypal', 'CreditCard', 'Others'];
const paymentModes = (): Record<string, Test> => {
  const out: Record<string, Test> = { 'PaymentMode.All': all };
  for (const mode of PAYMENT_MODES) {
    out[`PaymentMode.${mode}`] = (e) =>
      text(e.payment_mode).replace(/\s+/g, '') === mode.toLowerCase();
  }
  return out;
};

/** JournalDate.<period>: the journal's date within the organization's period. */
function journalDates(): Record<string, Test> {
  const within =
    (chars: number): Test =>
    (e, today) =>
      text(e.journal_date).slice(0, chars) === today.slice(0, chars);
  return {
    'JournalDate.All': all,
    'JournalDate.Today': within(10),
    'JournalDate.ThisMonth': within(7),
    'JournalDate.ThisYear': within(4),
  };
}

const ACCOUNT_KINDS: Record<string, string[]> = {
  Asset: ['other_asset', 'other_current_asset', 'cash', 'bank', 'fixed_asset', 'stock'],
  Liability: ['other_current_liability', 'credit_card', 'long_term_liability', 'other_liability'],
  Equity: ['equity'],
  Income: ['income', 'other_income'],
  Expense: ['expense', 'cost_of_goods_sold', 'other_expense'],
};
function accountTypes(): Record<string, Test> {
  const out: Record<string, Test> = {
    'AccountType.Active': (e) => e.is_active !== false,
    'AccountType.All': all,
    'AccountType.Inactive': (e) => e.is_active === false,
  };
  for (const [kind, types] of Object.entries(ACCOUNT_KINDS))
    out[`AccountType.${kind}`] = field('account_type', ...types);
  return out;
}

const DOCUMENT_SORT = { column: 'created_time', order: 'D' } as const;
const rules = (
  filters: Record<string, Test>,
  sort: ListRules['sort'],
  modifiedSince = false,
  context: Record<string, unknown> = { custom_fields: [] },
): ListRules => ({ filters, sort, modifiedSince, context });
const unpaid = ['sent', 'overdue', 'partially_paid'];

export const LIST_RULES: Readonly<Record<string, ListRules>> = {
  contacts: rules(
    {
      ...statuses({ Active: ['active'], Inactive: ['inactive'] }),
      'Status.Customers': field('contact_type', 'customer'),
      'Status.Vendors': field('contact_type', 'vendor'),
    },
    { column: 'contact_name', order: 'A' },
  ),
  items: rules(statuses({ Active: ['active'], Inactive: ['inactive'] }), {
    column: 'name',
    order: 'A',
  }),
  invoices: rules(
    {
      ...statuses({
        Sent: ['sent'],
        Draft: ['draft'],
        OverDue: ['overdue'],
        Paid: ['paid'],
        Void: ['void'],
        Unpaid: unpaid,
        PartiallyPaid: ['partially_paid'],
        PendingApproval: ['pending_approval'],
        Approved: ['approved'],
      }),
      'Date.PaymentExpectedDate': (e) => text(e.payment_expected_date) !== '',
    },
    DOCUMENT_SORT,
    true,
    { custom_fields: [], seller_app_sales_channels: [] },
  ),
  estimates: rules(
    statuses({
      Sent: ['sent'],
      Draft: ['draft'],
      Invoiced: ['invoiced'],
      Accepted: ['accepted'],
      Declined: ['declined'],
      Expired: ['expired'],
    }),
    DOCUMENT_SORT,
  ),
  salesorders: rules(
    statuses({ Draft: ['draft'], Open: ['open'], Void: ['void'], Closed: ['closed'] }),
    DOCUMENT_SORT,
    true,
  ),
  purchaseorders: rules(
    statuses({ Draft: ['draft'], Open: ['open'], Billed: ['billed'], Cancelled: ['cancelled'] }),
    DOCUMENT_SORT,
    true,
  ),
  bills: rules(
    statuses({
      Open: ['open'],
      Paid: ['paid'],
      OverDue: ['overdue'],
      Void: ['void'],
      PartiallyPaid: ['partially_paid'],
    }),
    DOCUMENT_SORT,
    true,
  ),
  creditnotes: rules(
    statuses({ Open: ['open'], Draft: ['draft'], Closed: ['closed'], Void: ['void'] }),
    DOCUMENT_SORT,
  ),
  customerpayments: rules(paymentModes(), { column: 'date', order: 'D' }),
  vendorpayments: rules(paymentModes(), { column: 'date', order: 'D' }, true),
  expenses: rules(
    statuses({
      Unbilled: ['unbilled'],
      Invoiced: ['invoiced'],
      Reimbursed: ['reimbursed'],
      Billable: ['unbilled', 'invoiced'],
      Nonbillable: ['nonbillable'],
    }),
    DOCUMENT_SORT,
  ),
  journals: rules(journalDates(), { column: 'journal_date', order: 'D' }, true),
  chartofaccounts: rules(accountTypes(), { column: 'account_type', order: 'A' }, true),
  taxes: rules(
    { 'Taxes.Active': (e) => e.status !== 'inactive', 'Taxes.All': all },
    { column: 'tax_name', order: 'A' },
    false,
    { as_of_date: '', to_date: '' },
  ),
};

const NO_RULES = rules({ 'Status.All': all }, { column: 'created_time', order: 'A' });

export function listRules(def: EntityDef): ListRules {
  return LIST_RULES[def.name] ?? NO_RULES;
}

/**
 * The test of a filter_by value for a type, or undefined when Zoho would refuse it. Zoho's
 * values are matched without regard to case (Status.overdue, Status.OverDue).
 */
export function filterByTest(rules: ListRules, value: string): Test | undefined {
  const key = Object.keys(rules.filters).find((k) => k.toLowerCase() === value.toLowerCase());
  return key === undefined ? undefined : rules.filters[key];
}

/** `last_modified_time` as Zoho means it: modified at or after; undefined when not a time. */
export function modifiedSince(value: string): ((e: Entity) => boolean) | undefined {
  const since = parseBooksTime(value);
  if (Number.isNaN(since)) return undefined;
  return (e) =>
    typeof e.last_modified_time === 'string' && parseBooksTime(e.last_modified_time) >= since;
}

/** Today in the organization, for JournalDate.* filters. */
export const orgToday = (now: number, timeZone: string): string => orgDay(now, timeZone).date;
