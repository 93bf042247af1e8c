/**
 * Zoho data centres and product hosts. A Zoho account lives in exactly one data centre; its
 * tokens are valid only there, so every host the pack talks to is derived from the region. The
 * API host Zoho names in the token response (`api_domain`) wins only when it is one of that data
 * centre's API hosts (`trustedApiDomain`): a token response cannot send the token elsewhere.
 */
import { ZohoError, invalidInput } from './errors';

export type RegionId = 'com' | 'eu' | 'in' | 'com.au' | 'jp' | 'uk' | 'ca' | 'sa' | 'com.cn';
export type Region = RegionId | 'custom';

interface DataCentre {
  label: string;
  /** Zoho's `location` value in the OAuth redirect (`us`, `eu`, …). */
  location: string;
  /** Domain under which the product hosts live: desk.<domain>, accounts.<domain>. */
  domain: string;
  /** Top-level suffix of www.zohoapis.<suffix>. */
  apisSuffix: string;
}

export const DATA_CENTRES: Readonly<Record<RegionId, DataCentre>> = {
  com: { label: 'United States (zoho.com)', location: 'us', domain: 'zoho.com', apisSuffix: 'com' },
  eu: { label: 'Europe (zoho.eu)', location: 'eu', domain: 'zoho.eu', apisSuffix: 'eu' },
  in: { label: 'India (zoho.in)', location: 'in', domain: 'zoho.in', apisSuffix: 'in' },
  'com.au': {
    label: 'Australia (zoho.com.au)',
    location: 'au',
    domain: 'zoho.com.au',
    apisSuffix: 'com.au',
  },
  jp: { label: 'Japan (zoho.jp)', location: 'jp', domain: 'zoho.jp', apisSuffix: 'jp' },
  uk: { label: 'United Kingdom (zoho.uk)', location: 'uk', domain: 'zoho.uk', apisSuffix: 'uk' },
  ca: { label: 'Canada (zohocloud.ca)', location: 'ca', domain: 'zohocloud.ca', apisSuffix: 'ca' },
  sa: { label: 'Saudi Arabia (zoho.sa)', location: 'sa', domain: 'zoho.sa', apisSuffix: 'sa' },
  'com.cn': {
    label: 'China (zoho.com.cn)',
    location: 'cn',
    domain: 'zoho.com.cn',
    apisSuffix: 'com.cn',
  },
};

export const REGION_IDS = Object.keys(DATA_CENTRES) as RegionId[];

export function isRegion(value: unknown): value is Region {
  return value === 'custom' || (typeof value === 'string' && value in DATA_CENTRES);
}

/**
 * Where a product's API lives. `apis` products are served from the account's api_domain
 * (www.zohoapis.<dc>); the others from their own subdomain of the data centre's domain.
 */
interface ProductHost {
  host: 'apis' | { subdomain: string };
  /** Path prefix of the product's API; a raw path that already starts with it is not doubled. */
  prefix: string;
}

export const PRODUCTS = {
  crm: { host: 'apis', prefix: '/crm' },
  books: { host: 'apis', prefix: '/books/v3' },
  inventory: { host: 'apis', prefix: '/inventory/v1' },
  invoice: { host: 'apis', prefix: '/invoice/v3' },
  bigin: { host: 'apis', prefix: '/bigin' },
  expense: { host: 'apis', prefix: '/expense/v1' },
  billing: { host: 'apis', prefix: '/billing/v1' },
  workdrive: { host: 'apis', prefix: '/workdrive/api/v1' },
  creator: { host: 'apis', prefix: '/creator/v2.1' },
  desk: { host: { subdomain: 'desk' }, prefix: '/api/v1' },
  people: { host: { subdomain: 'people' }, prefix: '/people/api' },
  projects: { host: { subdomain: 'projectsapi' }, prefix: '/api/v3' },
  campaigns: { host: { subdomain: 'campaigns' }, prefix: '/api/v1.1' },
  analytics: { host: { subdomain: 'analyticsapi' }, prefix: '/restapi/v2' },
  recruit: { host: { subdomain: 'recruit' }, prefix: '/recruit/v2' },
  sign: { host: { subdomain: 'sign' }, prefix: '/api/v1' },
  mail: { host: { subdomain: 'mail' }, prefix: '/api' },
  cliq: { host: { subdomain: 'cliq' }, prefix: '/api/v2' },
} as const satisfies Record<string, ProductHost>;

export type Product = keyof typeof PRODUCTS;
export const PRODUCT_IDS = Object.keys(PRODUCTS) as Product[];

export function isProduct(value: unknown): value is Product {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PRODUCTS, value);
}

/**
 * Which of an account's CRM orgs a connection talks to. Zoho's CRM SDK defines three per data
 * centre (node_modules/@zohocrm/nodejs-sdk-8.0/lib/routes/dc/<dc>_data_center.js:
 * PRODUCTION www.zohoapis.<dc>, SANDBOX sandbox.zohoapis.<dc>, DEVELOPER developer.zohoapis.<dc>),
 * all with the same accounts server. Only CRM has the sandbox and developer hosts.
 */
export type Environment = 'production' | 'sandbox' | 'developer';
export const ENVIRONMENTS: readonly Environment[] = ['production', 'sandbox', 'developer'];

/** The host label under zohoapis.<dc> of each environment (the SDK's DataCenter classes). */
const ENVIRONMENT_HOST: Readonly<Record<Environment, string>> = {
  production: 'www',
  sandbox: 'sandbox',
  developer: 'developer',
};

/** The products served on a non-production environment's host: CRM's SDK defines them for CRM only. */
const ENVIRONMENT_PRODUCTS: ReadonlySet<Product> = new Set<Product>(['crm']);

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** What a connection needs to know to find every host. */
export interface RegionSettings {
  region: Region;
  /** Only for `custom`: the accounts server, e.g. the sandbox's URL. */
  accountsUrl?: string;
  /** CRM's org environment; production when not given (flows saved before it existed). */
  environment?: Environment;
  /**
   * Only for `custom`: the user ticked "insecure" to allow a plain-http accounts URL on a host
   * other than loopback. Without it http is refused there (tokens would cross the network clear).
   */
  allowInsecureHttp?: boolean;
}

function environmentOf(settings: RegionSettings): Environment {
  return settings.environment ?? 'production';
}

/** Loopback hosts, where plain http never leaves the machine. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function parseHttpUrl(value: string, what: string, param: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(`${what} "${value}" is not a URL`, param);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidInput(`${what} must be an http(s) URL`, param);
  }
  return url;
}

export function accountsUrl(settings: RegionSettings): string {
  if (settings.region === 'custom') {
    if (!settings.accountsUrl)
      throw invalidInput('Region "custom" needs an accounts URL', 'accountsUrl');
    const url = parseHttpUrl(settings.accountsUrl, 'Accounts URL', 'accountsUrl');
    if (url.protocol === 'http:' && !isLoopback(url.hostname) && !settings.allowInsecureHttp) {
      throw invalidInput(
        `Accounts URL "${url.origin}" is plain http to a host other than this machine: the ` +
          'client secret and tokens would cross the network unencrypted. Use https, or tick ' +
          '"insecure" in the connection to allow it.',
        'accountsUrl',
      );
    }
    return trimSlash(url.toString());
  }
  const dc = DATA_CENTRES[settings.region];
  if (!dc) throw invalidInput(`Unknown Zoho region "${String(settings.region)}"`, 'region');
  return `https://accounts.${dc.domain}`;
}

/**
 * The API host of a region and environment: production's is the api_domain of Zoho's token
 * response (https://www.zoho.com/crm/developer/docs/api/v5/access-refresh.html), sandbox and
 * developer are the SDK's. For `custom` (an emulator) it is the accounts URL in every environment.
 */
export function defaultApiDomain(settings: RegionSettings): string {
  if (settings.region === 'custom') return accountsUrl(settings);
  const label = ENVIRONMENT_HOST[environmentOf(settings)];
  return `https://${label}.zohoapis.${DATA_CENTRES[settings.region].apisSuffix}`;
}

/**
 * True when `candidate` is the data centre's production API host while the connection is set to
 * another environment: the api_domain Zoho's accounts server names (it is the same server for
 * every environment), not a foreign host. The environment's own host is used instead, as the SDK
 * does (it builds URLs from the environment and never reads api_domain).
 */
export function isProductionHostOfOtherEnvironment(
  settings: RegionSettings,
  candidate: unknown,
): boolean {
  if (settings.region === 'custom' || environmentOf(settings) === 'production') return false;
  const production = defaultApiDomain({ region: settings.region });
  return typeof candidate === 'string' && trimSlash(candidate) === production;
}

/**
 * `candidate` as this connection may use it for api_domain, or undefined when it must be refused:
 * https, no credentials, port or path, and the Zoho API host of the connection's data centre and
 * environment. For
 * `custom` (the sandbox, a local emulator) only the accounts URL's own origin is accepted.
 */
export function trustedApiDomain(settings: RegionSettings, candidate: unknown): string | undefined {
  if (typeof candidate !== 'string' || candidate === '') return undefined;
  // The region's own API host (for custom: the accounts URL, path included) is always fine.
  if (trimSlash(candidate) === defaultApiDomain(settings)) return trimSlash(candidate);
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  const bare = !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
  if (!bare) return undefined;
  if (settings.region === 'custom') {
    return url.origin === new URL(accountsUrl(settings)).origin ? url.origin : undefined;
  }
  // The environment's own host only: a sandbox connection never sends to production, nor back.
  return url.origin === defaultApiDomain(settings) ? url.origin : undefined;
}

/**
 * Base URL of a product for a connection. A trusted api_domain (from the token response) is the
 * host of every `apis` product; anything else falls back to the region's own API host. For
 * `custom` (the sandbox) subdomain products live under `<api_domain>/<product>` so one server can
 * answer — or refuse — them all.
 */
export function productBaseUrl(
  product: Product,
  settings: RegionSettings,
  apiDomain?: string,
): string {
  const info: ProductHost = PRODUCTS[product];
  const environment = environmentOf(settings);
  if (environment !== 'production' && !ENVIRONMENT_PRODUCTS.has(product)) {
    throw new ZohoError({
      code: 'ENVIRONMENT_UNSUPPORTED',
      kind: 'config',
      param: 'environment',
      message:
        `Zoho ${product} has no ${environment} environment host (Zoho defines sandbox and ` +
        `developer hosts for CRM only): use a connection set to the production environment for ${product}.`,
    });
  }
  const apis = trimSlash(trustedApiDomain(settings, apiDomain) ?? defaultApiDomain(settings));
  if (info.host === 'apis') return apis + info.prefix;
  if (settings.region === 'custom') return `${apis}/${product}${info.prefix}`;
  return `https://${info.host.subdomain}.${DATA_CENTRES[settings.region].domain}${info.prefix}`;
}

/**
 * Bulk Write's upload host (the CRM SDK's `getFileUploadUrl()` per data centre,
 * node_modules/@zohocrm/nodejs-sdk-8.0/lib/routes/dc/*_data_center.js): content.zohoapis.<dc>,
 * except Canada and Saudi Arabia; the UK is not in the SDK (content.zohoapis.uk, **unverified**).
 * Every environment of a data centre uploads there. For `custom` (the sandbox) it is
 * `<api host>/content`, so one server answers it.
 */
const UPLOAD_HOSTS: Readonly<Partial<Record<RegionId, string>>> = {
  ca: 'upload.zohocloud.ca',
  sa: 'files.zoho.sa',
};

function uploadHost(region: RegionId): string {
  return UPLOAD_HOSTS[region] ?? `content.zohoapis.${DATA_CENTRES[region].apisSuffix}`;
}

/** Where a Bulk Write file is uploaded: `<base>/crm/v8/upload`. */
export function uploadBaseUrl(settings: RegionSettings): string {
  if (settings.region === 'custom') return `${trimSlash(defaultApiDomain(settings))}/content`;
  return `https://${uploadHost(settings.region)}`;
}

/** Path prefix of a product, so a raw path copied from Zoho's docs is not doubled. */
export function productPrefix(product: Product): string {
  return PRODUCTS[product].prefix;
}

/**
 * Hosts that may receive this connection's token: the accounts server, a trusted api_domain,
 * and every product host of the same data centre. Nothing else ever sees it.
 */
export function trustedHosts(settings: RegionSettings, apiDomain?: string): Set<string> {
  const hosts = new Set<string>();
  hosts.add(new URL(accountsUrl(settings)).host);
  hosts.add(new URL(defaultApiDomain(settings)).host);
  const trusted = trustedApiDomain(settings, apiDomain);
  if (trusted) hosts.add(new URL(trusted).host);
  if (settings.region !== 'custom') {
    const dc = DATA_CENTRES[settings.region];
    for (const product of PRODUCT_IDS) {
      const info: ProductHost = PRODUCTS[product];
      if (info.host !== 'apis') hosts.add(`${info.host.subdomain}.${dc.domain}`);
    }
    hosts.add(uploadHost(settings.region));
    // Bulk Write's result download_url (v8 job-details sample: download-accl.zoho.com).
    hosts.add(`download-accl.${dc.domain}`);
  }
  return hosts;
}

/**
 * The data centre an accounts URL belongs to: a region's own accounts server, or `custom` for any
 * other (a sandbox, an emulator). Lets a bare ZohoAuth know which api_domain it may accept.
 */
export function regionOfAccountsUrl(url: string): RegionSettings {
  const region = REGION_IDS.find((id) => accountsUrl({ region: id }) === trimSlash(url));
  return region ? { region } : { region: 'custom', accountsUrl: url };
}

/** Map Zoho's `location` redirect parameter (us, eu, …) back to a region id. */
export function regionFromLocation(location: string): RegionId | undefined {
  return REGION_IDS.find((id) => DATA_CENTRES[id].location === location);
}

/**
 * Who issued a connection's tokens: region, environment and accounts server in one string,
 * written beside stored tokens. A refresh token is only ever sent to the accounts server that
 * issued it, and an access token only used for the environment it was earned for.
 */
export function issuerOf(settings: RegionSettings): string {
  return [settings.region, environmentOf(settings), accountsUrl(settings)].join(' ');
}

/**
 * The settings an `issuerOf` string was made from, or undefined when it is not one. Where a
 * stored refresh token may be revoked: the accounts server that issued it, and no other.
 */
export function settingsOfIssuer(issuer: unknown): RegionSettings | undefined {
  if (typeof issuer !== 'string') return undefined;
  const [region, environment, url, ...rest] = issuer.split(' ');
  if (rest.length > 0 || !isRegion(region) || !isEnvironment(environment) || !url) return undefined;
  // It was accepted when the token was stored, so a plain-http custom URL was allowed then.
  const settings: RegionSettings =
    region === 'custom'
      ? { region, environment, accountsUrl: url, allowInsecureHttp: true }
      : { region, environment };
  try {
    return issuerOf(settings) === issuer ? settings : undefined;
  } catch {
    return undefined;
  }
}
