/**
 * The API families the sandbox serves. Adding a product = one import and one array entry.
 */
import { accountsFamily } from './accounts';
import { booksFamily } from './books/index';
import { type CrmFamilyOptions, crmFamily } from './crm/index';
import type { ApiFamily } from './types';

/** `crm`: options of the CRM family, e.g. the org's time zone (`timeZoneOffsetMinutes`). */
export function defaultFamilies(crm: CrmFamilyOptions = {}): ApiFamily[] {
  return [accountsFamily(), crmFamily(crm), booksFamily()];
}
