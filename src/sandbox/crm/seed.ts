/**
 * Believable demo data: people, companies, deals with stages and amounts, activities and
 * sensor readings, linked through lookups. Deterministic for a given seed.
 */
import { DEAL_STAGES, INDUSTRIES, LEAD_SOURCES, LEAD_STATUSES } from './picklists';
import {
  FIRST,
  LAST,
  COMPANY_A,
  COMPANY_B,
  SUFFIX,
  CITIES,
  TITLES,
  TASKS,
  PRODUCTS,
} from './seed-data';
import type { CrmStore } from './store';
import type { RecordData } from './types';
import { formatDate } from './util';

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SeedCounts = number | Record<string, number>;

export const SEED_ORDER = [
  'Accounts',
  'Contacts',
  'Leads',
  'Deals',
  'Products',
  'Tasks',
  'Calls',
  'Events',
  'Notes',
  'Quotes',
  'Cases',
  'Solutions',
  'Appointments',
  'Sensors',
];

const slug = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();

/**
 * Inserts `counts` records per module (a number applies to every module the registry knows),
 * with creation times spread over the past year in id order. Returns the counts inserted.
 */
export function seed(store: CrmStore, counts: SeedCounts, seedValue = 42): Record<string, number> {
  const rand = prng(seedValue);
  const pickOne = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const now = store.now();
  const year = 365 * 24 * 3600 * 1000;
  const names = [
    ...SEED_ORDER,
    ...store.modules
      .list()
      .map((m) => m.api_name)
      .filter((n) => !SEED_ORDER.includes(n)),
  ];
  const done: Record<string, number> = {};
  const ids = (m: string): string[] => store.all(m).map((r) => r.id);
  const link = (list: string[]): { id: string } | null =>
    list.length > 0 ? { id: pickOne(list) } : null;
  const uniq = store.count('Leads') + store.count('Contacts') + store.count('Sensors');

  for (const module of names) {
    const def = store.modules.get(module);
    const n = typeof counts === 'number' ? counts : (counts[module] ?? 0);
    if (!def || n <= 0) continue;
    const accounts = ids('Accounts');
    const contacts = ids('Contacts');
    const deals = ids('Deals');
    const users = store.users.filter((u) => u.status === 'active');
    for (let i = 0; i < n; i++) {
      const time = now - year + Math.floor(((i + 1) / n) * (year - 60000));
      const first = pickOne(FIRST);
      const last = pickOne(LAST);
      const company = `${pickOne(COMPANY_A)} ${pickOne(COMPANY_B)} ${pickOne(SUFFIX)}`;
      const [city, country] = pickOne(CITIES);
      const k = uniq + i;
      const email = `${slug(first)}.${slug(last)}${k}@${slug(company).slice(0, 14)}.example`;
      const phone = `+1 555 ${String(1000000 + Math.floor(rand() * 8999999)).replace(/(\d{3})(\d{4})$/, '$1 $2')}`;
      const day = (offsetDays: number): string => formatDate(time + offsetDays * 86400000);
      const at = (offsetHours: number): string => store.formatTime(time + offsetHours * 3600000);
      let r: RecordData;
      switch (module) {
        case 'Accounts':
          r = {
            Account_Name: `${company} #${i + 1}`,
            Industry: pickOne(INDUSTRIES),
            Phone: phone,
            Website: `https://${slug(company)}.example`,
            Employees: 5 + Math.floor(rand() * 5000),
            Annual_Revenue: Math.round(rand() * 5e7) / 1,
            Account_Type: pickOne(['Customer', 'Prospect', 'Partner', 'Reseller']),
            Billing_City: city,
            Billing_Country: country,
          };
          break;
        case 'Contacts':
          r = {
            First_Name: first,
            Last_Name: last,
            Email: email,
            Phone: phone,
            Title: pickOne(TITLES),
            Lead_Source: pickOne(LEAD_SOURCES),
            Mailing_City: city,
            Mailing_Country: country,
            Account_Name: link(accounts),
            Email_Opt_Out: rand() < 0.1,
          };
          break;
        case 'Leads':
          r = {
            First_Name: first,
            Last_Name: last,
            Company: company,
            Email: email,
            Phone: phone,
            Designation: pickOne(TITLES),
            Lead_Status: pickOne(LEAD_STATUSES),
            Lead_Source: pickOne(LEAD_SOURCES),
            Industry: pickOne(INDUSTRIES),
            No_of_Employees: 1 + Math.floor(rand() * 2000),
            Annual_Revenue: Math.round(rand() * 1e7),
            City: city,
            Country: country,
            Email_Opt_Out: rand() < 0.1,
          };
          break;
        case 'Deals': {
          const stage = pickOne(DEAL_STAGES);
          r = {
            Deal_Name: `${pickOne(PRODUCTS)} for ${company}`,
            Stage: stage,
            Pipeline: 'Standard (Standard)',
            Amount: Math.round(rand() * 200000) + 500,
            Closing_Date: day(30 + Math.floor(rand() * 120)),
            Probability: stage.startsWith('Closed Won')
              ? 100
              : stage.startsWith('Closed')
                ? 0
                : 10 + Math.floor(rand() * 80),
            Account_Name: link(accounts),
            Contact_Name: link(contacts),
            Lead_Source: pickOne(LEAD_SOURCES),
          };
          break;
        }
        case 'Products':
          r = {
            Product_Name: `${pickOne(PRODUCTS)} ${100 + i}`,
            Product_Code: `P-${String(i + 1).padStart(5, '0')}`,
            Product_Active: rand() < 0.9,
            Unit_Price: Math.round(rand() * 2000 * 100) / 100,
            Qty_in_Stock: Math.floor(rand() * 500),
            Product_Category: pickOne(['Hardware', 'Software']),
          };
          break;
        case 'Tasks':
          r = {
            Subject: `${pickOne(TASKS)} (${last})`,
            Due_Date: day(Math.floor(rand() * 30)),
            Status: pickOne(['Not Started', 'In Progress', 'Completed']),
            Priority: pickOne(['High', 'Normal', 'Low']),
            Who_Id: link(contacts),
            What_Id: link(deals),
          };
          break;
        case 'Calls':
          r = {
            Subject: `Call with ${first} ${last}`,
            Call_Type: pickOne(['Outbound', 'Inbound']),
            Call_Start_Time: at(2),
            Call_Duration: `${5 + Math.floor(rand() * 40)}:00`,
            Call_Purpose: pickOne(['Prospecting', 'Negotiation', 'Demo']),
            Who_Id: link(contacts),
          };
          break;
        case 'Events':
          r = {
            Event_Title: `Meeting with ${company}`,
            Start_DateTime: at(24),
            End_DateTime: at(25),
            Venue: city,
            Who_Id: link(contacts),
          };
          break;
        case 'Notes': {
          const parent = link([...deals, ...contacts, ...accounts]);
          if (!parent) continue;
          r = {
            Note_Title: `Notes ${i + 1}`,
            Note_Content: `${first} asked about ${pickOne(PRODUCTS)} pricing.`,
            Parent_Id: parent,
          };
          break;
        }
        case 'Quotes':
          r = {
            Subject: `Quote ${i + 1} for ${company}`,
            Quote_Stage: pickOne(['Draft', 'Negotiation', 'Delivered', 'Confirmed']),
            Valid_Till: day(30),
            Account_Name: link(accounts),
            Deal_Name: link(deals),
          };
          break;
        case 'Cases':
          r = {
            Subject: `Case ${i + 1}: ${pickOne(PRODUCTS)} not responding`,
            Status: pickOne(['New', 'On Hold', 'Escalated', 'Closed']),
            Case_Origin: pickOne(['Email', 'Phone', 'Web']),
            Priority: pickOne(['High', 'Medium', 'Low']),
            Email: email,
            Account_Name: link(accounts),
          };
          break;
        case 'Solutions':
          r = {
            Solution_Title: `How to reset the ${pickOne(PRODUCTS)} (${i + 1})`,
            Status: pickOne(['Draft', 'Published']),
            Question: 'The device does not respond.',
            Answer: 'Hold the reset button for ten seconds.',
          };
          break;
        case 'Appointments':
          r = {
            Appointment_Name: `Installation at ${company}`,
            Appointment_Start_Time: at(48),
            Duration: 60,
            Status: 'Upcoming',
            Location: city,
            Appointment_For: link(contacts),
          };
          break;
        case 'Sensors':
          r = {
            Name: `${pickOne(['Temp', 'Humidity', 'Flow', 'Door'])} sensor ${i + 1}`,
            Serial_Number: `SN-${String(k).padStart(7, '0')}`,
            Temperature: Math.round((15 + rand() * 15) * 10) / 10,
            Humidity: 30 + Math.floor(rand() * 50),
            Reading_Time: at(0),
            Active: rand() < 0.85,
            Location: pickOne(['Warehouse', 'Office', 'Lab', 'Outdoor']),
            Account: link(accounts),
          };
          break;
        default: {
          const display = def.display_field ?? 'Name';
          r = { [display]: `${def.singular_label ?? module} ${i + 1}` };
        }
      }
      r.Owner = { id: pickOne(users).id };
      store.insert(module, [r], { time });
    }
    done[module] = (done[module] ?? 0) + n;
  }
  return done;
}
