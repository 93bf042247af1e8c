/**
 * The org's users (GET /crm/v8/users, users.json), every page of them, optionally only those of
 * one role. Zoho's `type` chooses active, deactivated, admins…; it has no role parameter, so the
 * role is matched here, on the role's name or id.
 */
import { invalidInput } from '../core/errors';
import { type FetchedPage, collectPages, paginate } from '../core/paginate';
import { isPlainObject } from '../core/validate';
import { MAX_PER_PAGE, type Requester } from './common';

/**
 * Zoho's user types: users.json enumerates ActiveUsers, CurrentUser, ActiveConfirmedUsers,
 * DeactiveUsers, NotConfirmedUsers and ConfirmedUsers; Zoho's users documentation adds
 * AllUsers (the default), AdminUsers and ActiveConfirmedAdmins (docs/ZOHO-FACTS.md, users).
 */
export const USER_TYPES = [
  'AllUsers',
  'ActiveUsers',
  'DeactiveUsers',
  'ConfirmedUsers',
  'NotConfirmedUsers',
  'ActiveConfirmedUsers',
  'AdminUsers',
  'ActiveConfirmedAdmins',
  'CurrentUser',
] as const;

export type UserType = (typeof USER_TYPES)[number];

/** An org has far fewer users than this; a server saying "more" for ever stops here. */
const MAX_USER_PAGES = 50;

export interface UserInfo {
  id: string;
  name: string;
  email?: string;
  /** Zoho's `status`: "active", "disabled", … */
  status?: string;
  confirm?: boolean;
  role?: { id: string; name: string };
  profile?: { id: string; name: string };
}

export interface ListUsersOptions {
  /** Default AllUsers (no `type` sent: Zoho's own default). */
  type?: string;
  /** Only users of this role (its name, any case, or its id). */
  role?: string;
  signal?: AbortSignal;
}

/** A user type Zoho knows; anything else is refused before a call. */
export function checkUserType(value: unknown): UserType {
  if (value === undefined || value === null || value === '') return 'AllUsers';
  const found = USER_TYPES.find((t) => t === value);
  if (!found) {
    const message = `Unknown user type ${JSON.stringify(value)}: use one of ${USER_TYPES.join(', ')}.`;
    throw invalidInput(message, 'userType');
  }
  return found;
}

const ref = (v: unknown): { id: string; name: string } | undefined =>
  isPlainObject(v) && typeof v.id === 'string' && typeof v.name === 'string'
    ? { id: v.id, name: v.name }
    : undefined;

function userOf(u: Record<string, unknown>): UserInfo[] {
  if (typeof u.id !== 'string') return [];
  const name = [u.full_name, u.name, u.email].find((v) => typeof v === 'string' && v !== '');
  const info: UserInfo = { id: u.id, name: (name as string | undefined) ?? u.id };
  if (typeof u.email === 'string') info.email = u.email;
  if (typeof u.status === 'string') info.status = u.status;
  if (typeof u.confirm === 'boolean') info.confirm = u.confirm;
  const role = ref(u.role);
  if (role) info.role = role;
  const profile = ref(u.profile);
  if (profile) info.profile = profile;
  return [info];
}

/** The users of a type, walked 200 a page, filtered by role when one is given. */
export async function listUsers(
  conn: Requester,
  options: ListUsersOptions = {},
): Promise<UserInfo[]> {
  const type = checkUserType(options.type);
  const fetch = async (cursor: number | undefined): Promise<FetchedPage<UserInfo, number>> => {
    const page = cursor ?? 1;
    const res = await conn.request({
      product: 'crm',
      method: 'GET',
      path: '/v8/users',
      query: { type: type === 'AllUsers' ? undefined : type, page, per_page: MAX_PER_PAGE },
      signal: options.signal,
    });
    // No user of the type is Zoho's 204.
    if (res.status === 204 || !isPlainObject(res.data)) return { items: [] };
    const list = Array.isArray(res.data.users) ? res.data.users.filter(isPlainObject) : [];
    const info = isPlainObject(res.data.info) ? res.data.info : {};
    const items = list.flatMap(userOf);
    return info.more_records === true && list.length > 0 ? { items, next: page + 1 } : { items };
  };
  const all = await collectPages(
    paginate(fetch, { maxPages: MAX_USER_PAGES, signal: options.signal }),
  );
  return ofRole(all.items, options.role);
}

/** The users of a role (its id, or its name in any case); no role keeps them all. */
export function ofRole(users: UserInfo[], role: string | undefined): UserInfo[] {
  const want = role?.trim().toLowerCase();
  if (!want) return users;
  return users.filter((u) => u.role?.id === want || u.role?.name.toLowerCase() === want);
}
