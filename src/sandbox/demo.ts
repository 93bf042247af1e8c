/**
 * The demo data `npm start` shows a newcomer: CRM leads, contacts, accounts and deals (the CRM
 * seeder's people and companies, linked through lookups) and, in the default Books
 * organization, customers with contact persons and their invoices. Deterministic, so the
 * README's screenshots and a second `npm start` show the same names.
 */
import type { BooksFamily, Entity } from './books/index';
import type { CrmFamily } from './crm/index';
import { prng } from './crm/seed';
import type { ApiFamily } from './types';

/**
 * The sandbox's one default port: `zoho-sandbox`, `npm start` and the examples' connection
 * (http://127.0.0.1:8800) all use it, so a palette user's `npx zoho-sandbox --demo` is where the
 * examples look.
 */
export const DEFAULT_SANDBOX_PORT = 8800;

export const DEMO_CRM_COUNTS = {
  Accounts: 12,
  Contacts: 25,
  Leads: 30,
  Deals: 15,
  Products: 8,
  Tasks: 10,
} as const;

/** Books customers: company, contact person, email domain, city. */
const CUSTOMERS: [string, string, string, string][] = [
  ['Northwind Traders', 'Maria Anders', 'northwind.example', 'Seattle'],
  ['Blue Harbor Coffee Co.', 'Liam Murphy', 'blueharbor.example', 'Portland'],
  ['Kestrel Robotics Inc.', 'Priya Patel', 'kestrel-robotics.example', 'Austin'],
  ['Alpine Solar GmbH', 'Jonas Fischer', 'alpinesolar.example', 'Munich'],
  ['Greenfield Farms LLC', 'Hannah Okafor', 'greenfieldfarms.example', 'Des Moines'],
  ['Sakura Design Studio', 'Yuki Tanaka', 'sakura-design.example', 'Osaka'],
  ['Harbor & Finch Legal', 'Chloe Dubois', 'harborfinch.example', 'Boston'],
  ['Vela Logistics Ltd', 'Omar Haddad', 'velalogistics.example', 'Rotterdam'],
];

/** What the demo customers buy: description and unit price. */
const ITEMS: [string, number][] = [
  ['Temperature sensor (LoRaWAN)', 89],
  ['Gateway installation', 450],
  ['Annual support plan', 1200],
  ['Dashboard setup (hours)', 95],
  ['Energy audit', 780],
  ['Replacement battery pack', 24.5],
];

export interface DemoCounts {
  crm: Record<string, number>;
  books: { contacts: number; invoices: number };
}

function find<T extends ApiFamily>(families: ApiFamily[], name: string): T | undefined {
  return families.find((f) => f.name === name) as T | undefined;
}

function seedBooks(books: BooksFamily): DemoCounts['books'] {
  const org = books.store.defaultOrg().organization_id;
  const rand = prng(7);
  const contacts = books.store.insert(
    org,
    'contacts',
    CUSTOMERS.map(([company, person, domain, city]) => {
      const [first, last] = person.split(' ');
      const email = `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`;
      return {
        contact_name: company,
        company_name: company,
        contact_type: 'customer',
        email,
        billing_address: { city },
        contact_persons: [{ first_name: first, last_name: last, email, is_primary_contact: true }],
      };
    }),
  );
  const invoices: Entity[] = [];
  const day = 86_400_000;
  contacts.forEach((contact, i) => {
    for (let k = 0; k < 2; k++) {
      const lines = 1 + Math.floor(rand() * 3);
      const line_items = Array.from({ length: lines }, (_, j) => {
        const [description, rate] = ITEMS[(i + k * 3 + j) % ITEMS.length];
        return { name: description, description, rate, quantity: 1 + Math.floor(rand() * 6) };
      });
      const issued = books.store.now() - (60 - i * 5 - k * 20) * day;
      invoices.push({
        customer_id: contact.contact_id,
        date: new Date(issued).toISOString().slice(0, 10),
        due_date: new Date(issued + 30 * day).toISOString().slice(0, 10),
        reference_number: `PO-${4100 + i * 2 + k}`,
        line_items,
      });
    }
  });
  const stored = books.store.insert(org, 'invoices', invoices);
  // Some paid, some sent, the newest still drafts: a list that looks like a real ledger.
  stored.forEach((invoice, i) => {
    if (i % 4 === 0) Object.assign(invoice, { status: 'paid', balance: 0 });
    else if (i % 4 !== 3) invoice.status = 'sent';
  });
  return { contacts: contacts.length, invoices: stored.length };
}

/** Loads the demo data into the families that exist; returns what it inserted. */
export function seedDemo(families: ApiFamily[]): DemoCounts {
  const crm = find<CrmFamily>(families, 'crm');
  const books = find<BooksFamily>(families, 'books');
  return {
    crm: crm ? crm.seed({ ...DEMO_CRM_COUNTS }) : {},
    books: books ? seedBooks(books) : { contacts: 0, invoices: 0 },
  };
}

/** The demo data in one line, for the banners of `npm start` and `zoho-sandbox --demo`. */
export function describeDemo(demo: DemoCounts): string {
  const crm = Object.entries(demo.crm)
    .map(([module, n]) => `${n} ${module}`)
    .join(', ');
  return `CRM ${crm}; Books ${demo.books.contacts} customers, ${demo.books.invoices} invoices`;
}
