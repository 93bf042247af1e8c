/**
 * The API families the sandbox serves. Adding a product = one import and one array entry.
 */
import { accountsFamily } from './accounts';
import { booksFamily } from './books/index';
import { crmFamily } from './crm/index';
import type { ApiFamily } from './types';

export function defaultFamilies(): ApiFamily[] {
  return [accountsFamily(), crmFamily(), booksFamily()];
}
