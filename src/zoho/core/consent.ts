/**
 * What asking a user's consent needs to know about Zoho: the scopes a connection asks for by
 * default, and where Zoho's consent redirect says the account lives (its `location` and
 * `accounts-server` parameters) compared with the data centre the connection is set to. A
 * grant code must be exchanged in the account's own data centre, and the client secret may go
 * to no other accounts server.
 */
import { DATA_CENTRES, Region, RegionId, regionFromLocation } from './regions';
import { PACK_SCOPES } from './scopes';

/** Every product family the pack talks to, read and write: the scopes of PACK_SCOPES. */
export const DEFAULT_SCOPES = PACK_SCOPES.map((p) => p.scope);

/**
 * The scope of PACK_SCOPES that covers a call: the one of the product whose paths match (for CRM,
 * the path without its /crm prefix), else the product's scope that has no paths (CRM: a module's
 * records). Undefined for a product the pack does not ask scopes for.
 */
export function scopeForRequest(product: string, path: string): string | undefined {
  const rest = path.replace(/^\/crm(?=\/)/, '');
  const ofProduct = PACK_SCOPES.filter((p) => p.product === product);
  const byPath = ofProduct.find((p) => p.paths?.test(rest));
  return (byPath ?? ofProduct.find((p) => !p.paths))?.scope;
}

/** Splits "a, b c" into scopes, dropping anything that is not a scope name; default set when empty. */
export function parseScopes(value: unknown): string[] {
  const list = Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value.split(/[\s,]+/)
      : [];
  const scopes = list.map((s) => s.trim()).filter((s) => /^[A-Za-z0-9._-]+$/.test(s));
  return scopes.length > 0 ? scopes : [...DEFAULT_SCOPES];
}

/** The host of a URL, '' for none, '?' for something that is not a URL. */
export function hostOf(value: string): string {
  if (!value) return '';
  try {
    return new URL(value).host;
  } catch {
    return '?';
  }
}

/** The accounts host of each Zoho data centre. */
const ZOHO_ACCOUNTS_HOSTS = new Set(
  Object.values(DATA_CENTRES).map((dc) => `accounts.${dc.domain}`),
);

/** Where the redirect says the account lives, when that is not where the connection points. */
export type ElsewhereAccount =
  | { kind: 'region'; region: RegionId; label: string }
  | { kind: 'data-centre'; host: string }
  | { kind: 'other-server' };

export interface ConsentRedirect {
  /** Zoho's `location` parameter (e.g. "eu"). */
  location?: unknown;
  /** Zoho's `accounts-server` parameter (e.g. "https://accounts.zoho.eu"). */
  accountsServer?: unknown;
}

/**
 * Undefined when the redirect agrees with the connection's region and accounts server;
 * otherwise where the account lives instead.
 */
export function accountElsewhere(
  connection: { region: Region; accountsUrl: string },
  redirect: ConsentRedirect,
): ElsewhereAccount | undefined {
  const expectedHost = new URL(connection.accountsUrl).host;
  const server = typeof redirect.accountsServer === 'string' ? redirect.accountsServer : '';
  const serverHost = hostOf(server);
  const location = typeof redirect.location === 'string' ? redirect.location : '';
  const locationRegion = location ? regionFromLocation(location) : undefined;
  const otherServer = serverHost !== '' && serverHost !== expectedHost;
  if (
    connection.region !== 'custom' &&
    locationRegion !== undefined &&
    locationRegion !== connection.region
  ) {
    return { kind: 'region', region: locationRegion, label: DATA_CENTRES[locationRegion].label };
  }
  if (!otherServer) return undefined;
  return ZOHO_ACCOUNTS_HOSTS.has(serverHost)
    ? { kind: 'data-centre', host: serverHost }
    : { kind: 'other-server' };
}
