/**
 * Module and field definitions: the standard modules with Zoho's mandatory and unique fields,
 * plus a default custom module (`Sensors`). Custom modules are configurable.
 */
import {
  LEAD_STATUSES,
  LEAD_SOURCES,
  INDUSTRIES,
  DEAL_STAGES,
  PRIORITIES,
  TASK_STATUSES,
} from './picklists';
import type { FieldDef, FieldType, ModuleDef } from './types';

export { DEAL_STAGES, INDUSTRIES, LEAD_SOURCES, LEAD_STATUSES } from './picklists';

const f = (api_name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef => ({
  api_name,
  type,
  ...extra,
});
const req = (api_name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef =>
  f(api_name, type, { mandatory: true, ...extra });
const pick = (api_name: string, values: string[], extra: Partial<FieldDef> = {}): FieldDef =>
  f(api_name, 'picklist', { values, ...extra });
const look = (api_name: string, lookup: string, extra: Partial<FieldDef> = {}): FieldDef =>
  f(api_name, 'lookup', { lookup, ...extra });

const person = (): FieldDef[] => [
  pick('Salutation', ['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Prof.']),
  f('First_Name', 'text', { length: 40 }),
  req('Last_Name', 'text', { length: 80 }),
  f('Full_Name', 'text', { readOnly: true }),
  f('Email', 'email', { unique: true }),
  f('Secondary_Email', 'email'),
  f('Phone', 'phone', { length: 30 }),
  f('Mobile', 'phone', { length: 30 }),
  f('Title', 'text', { length: 100 }),
  f('Email_Opt_Out', 'boolean'),
  pick('Lead_Source', LEAD_SOURCES),
  f('Mailing_City', 'text'),
  f('Mailing_Country', 'text'),
];

export function standardModules(): ModuleDef[] {
  return [
    {
      api_name: 'Leads',
      singular_label: 'Lead',
      display_field: 'Full_Name',
      duplicate_check: ['Email'],
      fields: [
        pick('Salutation', ['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Prof.']),
        f('First_Name', 'text', { length: 40 }),
        req('Last_Name', 'text', { length: 80 }),
        f('Full_Name', 'text', { readOnly: true }),
        f('Company', 'text', { length: 200 }),
        f('Email', 'email', { unique: true }),
        f('Phone', 'phone', { length: 30 }),
        f('Mobile', 'phone', { length: 30 }),
        f('Website', 'website'),
        f('Designation', 'text', { length: 100 }),
        pick('Lead_Status', LEAD_STATUSES),
        pick('Lead_Source', LEAD_SOURCES),
        pick('Industry', INDUSTRIES),
        pick('Rating', ['Acquired', 'Active', 'Market Failed', 'Project Cancelled', 'Shut Down']),
        f('No_of_Employees', 'integer'),
        f('Annual_Revenue', 'currency'),
        f('Email_Opt_Out', 'boolean'),
        f('City', 'text'),
        f('State', 'text'),
        f('Country', 'text'),
        f('Zip_Code', 'text'),
        f('Street', 'text', { length: 250 }),
        f('Last_Activity_Time', 'datetime', { readOnly: true }),
        f('Tag', 'tag'),
      ],
    },
    {
      api_name: 'Contacts',
      singular_label: 'Contact',
      display_field: 'Full_Name',
      duplicate_check: ['Email'],
      fields: [
        ...person(),
        look('Account_Name', 'Accounts'),
        f('Date_of_Birth', 'date'),
        f('Department', 'text'),
      ],
    },
    {
      api_name: 'Accounts',
      singular_label: 'Account',
      display_field: 'Account_Name',
      duplicate_check: ['Account_Name'],
      fields: [
        req('Account_Name', 'text', { length: 200 }),
        f('Account_Number', 'bigint'),
        pick('Account_Type', [
          'Analyst',
          'Competitor',
          'Customer',
          'Distributor',
          'Integrator',
          'Investor',
          'Partner',
          'Press',
          'Prospect',
          'Reseller',
          'Other',
        ]),
        pick('Industry', INDUSTRIES),
        f('Phone', 'phone'),
        f('Website', 'website'),
        f('Employees', 'integer'),
        f('Annual_Revenue', 'currency'),
        pick('Rating', ['Acquired', 'Active', 'Market Failed', 'Project Cancelled', 'Shut Down']),
        f('Billing_City', 'text'),
        f('Billing_Country', 'text'),
        f('Billing_Street', 'text', { length: 250 }),
        look('Parent_Account', 'Accounts'),
      ],
    },
    {
      api_name: 'Deals',
      singular_label: 'Deal',
      display_field: 'Deal_Name',
      duplicate_check: ['Deal_Name'],
      fields: [
        req('Deal_Name', 'text', { length: 120 }),
        req('Stage', 'picklist', { values: DEAL_STAGES }),
        pick('Pipeline', ['Standard (Standard)']),
        f('Amount', 'currency'),
        f('Closing_Date', 'date'),
        f('Probability', 'percent'),
        pick('Type', ['-None-', 'Existing Business', 'New Business']),
        pick('Lead_Source', LEAD_SOURCES),
        look('Account_Name', 'Accounts'),
        look('Contact_Name', 'Contacts'),
        f('Next_Step', 'text'),
      ],
    },
    {
      api_name: 'Tasks',
      singular_label: 'Task',
      display_field: 'Subject',
      fields: [
        req('Subject', 'text', { length: 300 }),
        f('Due_Date', 'date'),
        pick('Status', TASK_STATUSES),
        pick('Priority', PRIORITIES),
        look('What_Id', '*'),
        look('Who_Id', 'Contacts'),
        f('Closed_Time', 'datetime', { readOnly: true }),
      ],
    },
    {
      api_name: 'Calls',
      singular_label: 'Call',
      display_field: 'Subject',
      fields: [
        req('Subject', 'text', { length: 300 }),
        req('Call_Type', 'picklist', { values: ['Outbound', 'Inbound', 'Missed'] }),
        req('Call_Start_Time', 'datetime'),
        f('Call_Duration', 'text'),
        f('Call_Duration_in_seconds', 'integer'),
        pick('Call_Purpose', ['-None-', 'Prospecting', 'Administrative', 'Negotiation', 'Demo']),
        look('What_Id', '*'),
        look('Who_Id', 'Contacts'),
      ],
    },
    {
      api_name: 'Events',
      singular_label: 'Meeting',
      plural_label: 'Meetings',
      display_field: 'Event_Title',
      fields: [
        req('Event_Title', 'text', { length: 300 }),
        req('Start_DateTime', 'datetime'),
        req('End_DateTime', 'datetime'),
        f('Venue', 'text'),
        f('All_day', 'boolean'),
        look('What_Id', '*'),
        look('Who_Id', 'Contacts'),
      ],
    },
    {
      api_name: 'Notes',
      singular_label: 'Note',
      display_field: 'Note_Title',
      fields: [
        f('Note_Title', 'text', { length: 120 }),
        req('Note_Content', 'textarea', { length: 32000 }),
        look('Parent_Id', '*', { mandatory: true }),
      ],
    },
    {
      api_name: 'Products',
      singular_label: 'Product',
      display_field: 'Product_Name',
      duplicate_check: ['Product_Name'],
      fields: [
        req('Product_Name', 'text', { length: 120 }),
        f('Product_Code', 'text', { length: 40 }),
        f('Product_Active', 'boolean'),
        pick('Product_Category', ['-None-', 'Hardware', 'Software', 'CRM Applications']),
        f('Unit_Price', 'currency'),
        f('Qty_in_Stock', 'double'),
        f('Sales_Start_Date', 'date'),
      ],
    },
    {
      api_name: 'Quotes',
      singular_label: 'Quote',
      display_field: 'Subject',
      fields: [
        req('Subject', 'text', { length: 300 }),
        pick('Quote_Stage', ['Draft', 'Negotiation', 'Delivered', 'On Hold', 'Confirmed']),
        f('Valid_Till', 'date'),
        f('Grand_Total', 'currency', { readOnly: true }),
        look('Deal_Name', 'Deals'),
        look('Account_Name', 'Accounts'),
        look('Contact_Name', 'Contacts'),
      ],
    },
    {
      api_name: 'Cases',
      singular_label: 'Case',
      display_field: 'Subject',
      duplicate_check: ['Subject'],
      fields: [
        req('Subject', 'text', { length: 300 }),
        req('Status', 'picklist', { values: ['New', 'On Hold', 'Escalated', 'Closed'] }),
        req('Case_Origin', 'picklist', { values: ['Email', 'Phone', 'Web'] }),
        f('Case_Number', 'autonumber', { readOnly: true }),
        pick('Priority', ['High', 'Medium', 'Low']),
        pick('Type', ['-None-', 'Problem', 'Feature Request', 'Question']),
        f('Email', 'email'),
        look('Account_Name', 'Accounts'),
        look('Related_To', 'Contacts'),
      ],
    },
    {
      api_name: 'Solutions',
      singular_label: 'Solution',
      display_field: 'Solution_Title',
      fields: [
        req('Solution_Title', 'text', { length: 300 }),
        f('Solution_Number', 'autonumber', { readOnly: true }),
        pick('Status', ['Draft', 'Reviewed', 'Published']),
        f('Question', 'textarea'),
        f('Answer', 'textarea'),
        f('Published', 'boolean'),
      ],
    },
    {
      api_name: 'Appointments',
      plural_label: 'Appointments',
      singular_label: 'Appointment',
      display_field: 'Appointment_Name',
      fields: [
        req('Appointment_Name', 'text', { length: 255 }),
        req('Appointment_Start_Time', 'datetime'),
        f('Appointment_End_Time', 'datetime'),
        f('Duration', 'integer'),
        pick('Status', ['Upcoming', 'In Progress', 'Completed', 'Cancelled', 'Overdue']),
        f('Location', 'text'),
        look('Appointment_For', 'Contacts'),
      ],
    },
  ];
}

/** The default custom module: IoT sensors, so flows have something of their own to write. */
export function sensorsModule(): ModuleDef {
  return {
    api_name: 'Sensors',
    singular_label: 'Sensor',
    generated_type: 'custom',
    display_field: 'Name',
    duplicate_check: ['Serial_Number'],
    fields: [
      req('Name', 'text', { length: 120 }),
      f('Serial_Number', 'text', { unique: true, custom: true, length: 64 }),
      f('Temperature', 'double', { custom: true }),
      f('Humidity', 'integer', { custom: true }),
      f('Reading_Time', 'datetime', { custom: true }),
      f('Active', 'boolean', { custom: true }),
      pick('Location', ['Warehouse', 'Office', 'Lab', 'Outdoor'], { custom: true }),
      f('Tags', 'multiselectpicklist', { custom: true, values: ['critical', 'indoor', 'battery'] }),
      look('Account', 'Accounts', { custom: true }),
    ],
  };
}
