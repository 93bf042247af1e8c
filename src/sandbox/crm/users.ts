/**
 * The org's users: the first is the current user (the token's owner).
 */
import type { CrmUser, MinifiedUser } from './types';

export const DEFAULT_USERS: CrmUser[] = [
  {
    id: '4876876000000225001',
    name: 'Sandbox Admin',
    first_name: 'Sandbox',
    last_name: 'Admin',
    email: 'admin@sandbox.zoho.example',
    role: 'CEO',
    profile: 'Administrator',
    status: 'active',
  },
  {
    id: '4876876000000225013',
    name: 'Maria Jensen',
    first_name: 'Maria',
    last_name: 'Jensen',
    email: 'maria.jensen@sandbox.zoho.example',
    role: 'Manager',
    profile: 'Standard',
    status: 'active',
  },
  {
    id: '4876876000000225025',
    name: 'Arjun Rao',
    first_name: 'Arjun',
    last_name: 'Rao',
    email: 'arjun.rao@sandbox.zoho.example',
    role: 'Sales Rep',
    profile: 'Standard',
    status: 'active',
  },
  {
    id: '4876876000000225037',
    name: 'Old Account',
    first_name: 'Old',
    last_name: 'Account',
    email: 'old.account@sandbox.zoho.example',
    role: 'Sales Rep',
    profile: 'Standard',
    status: 'disabled',
  },
];

export function minified(user: CrmUser): MinifiedUser {
  return { name: user.name, id: user.id, email: user.email };
}
