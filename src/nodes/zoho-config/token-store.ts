/**
 * Where a zoho-config node keeps its access token, so neither a redeploy nor a restart inside
 * the token's lifetime asks Zoho for a new one (Zoho rate-limits its token endpoint and caps
 * the access tokens per refresh token).
 *
 * Two places, both bound to the refresh token that earned the token:
 * - the node's credentials (RED.nodes.addCredentials): they survive a redeploy, because the
 *   editor has no input for these keys and so never sends them;
 * - an encrypted file under the user directory (<userDir>/.zoho-tokens/<id>.json, mode 0600):
 *   addCredentials only changes memory, so this is what survives a restart. AES-256-GCM with a
 *   key derived (HKDF-SHA256, random salt) from client id + secret + refresh token + node id:
 *   the file is useless without the refresh token, and a token cached for another refresh
 *   token or client fails authentication and is ignored.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoredTokens, TokenStore } from '../../zoho/core/auth';

/** The credentials of a zoho-config node, as Node-RED stores them (strings only). */
export interface ZohoConfigCredentials {
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  accessToken?: string;
  /** Epoch milliseconds, as a string. */
  expiresAt?: string;
  apiDomain?: string;
  scope?: string;
  /** Binds the access token keys above to the refresh token and client that earned them. */
  tokenKey?: string;
  /**
   * Who issued the refresh token (regions.ts `issuerOf`: region, environment, accounts URL),
   * written with it: the connection sends nothing while its settings say otherwise.
   */
  issuer?: string;
  /** The password of the Redis server the node shares state through (shared-state.ts). */
  redisPassword?: string;
}

/** The keys that belong to one access token (dropped whenever the refresh token changes). */
export const TOKEN_KEYS = ['accessToken', 'expiresAt', 'apiDomain', 'scope', 'tokenKey'] as const;

export interface TokenIdentity {
  nodeId: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Who issued the refresh token: a token cached under other settings is not this one's. */
  issuer: string;
}

const FILE_VERSION = 2;
const CACHE_DIR = '.zoho-tokens';

/** A non-secret tag that says which refresh token + client a stored access token belongs to. */
export function tokenKey(identity: TokenIdentity): string {
  return crypto
    .createHmac('sha256', identity.refreshToken)
    .update(`zoho-config token v2\0${identity.nodeId}\0${identity.clientId}\0${identity.issuer}`)
    .digest('base64url')
    .slice(0, 32);
}

/** The credential keys that record `tokens` for `identity`. */
export function tokenCredentials(
  identity: TokenIdentity,
  tokens: StoredTokens,
): Partial<ZohoConfigCredentials> {
  const out: Partial<ZohoConfigCredentials> = {
    accessToken: tokens.accessToken,
    expiresAt: String(tokens.expiresAt),
    apiDomain: tokens.apiDomain,
    tokenKey: tokenKey(identity),
  };
  if (tokens.scope) out.scope = tokens.scope;
  return out;
}

/** The tokens recorded in `creds`, if they belong to `identity`. */
export function tokensFromCredentials(
  identity: TokenIdentity,
  creds: ZohoConfigCredentials | undefined,
): StoredTokens | undefined {
  if (!creds?.accessToken || !creds.tokenKey || !creds.apiDomain) return undefined;
  if (!safeEqual(creds.tokenKey, tokenKey(identity))) return undefined;
  const expiresAt = Number(creds.expiresAt);
  if (!Number.isFinite(expiresAt)) return undefined;
  const tokens: StoredTokens = {
    accessToken: creds.accessToken,
    expiresAt,
    apiDomain: creds.apiDomain,
  };
  if (creds.scope) tokens.scope = creds.scope;
  return tokens;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** The cache file of a node; node ids are reduced to a safe file name. */
export function cacheFile(userDir: string, nodeId: string): string {
  return path.join(userDir, CACHE_DIR, `${nodeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

function fileKey(identity: TokenIdentity, salt: Buffer): Buffer {
  const ikm = Buffer.from(
    [identity.clientId, identity.clientSecret, identity.refreshToken, identity.issuer].join('\0'),
    'utf8',
  );
  const info = Buffer.from(
    `node-red-contrib-zoho token cache v${FILE_VERSION}\0${identity.nodeId}`,
  );
  return Buffer.from(crypto.hkdfSync('sha256', ikm, salt, info, 32));
}

interface CacheFile {
  v: number;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Any JSON value sealed as the token cache is (AES-256-GCM, key by HKDF of the credentials,
 * bound to `identity.nodeId`): what the fleet's shared state keeps in Redis is sealed this way too.
 */
export function sealJson(identity: TokenIdentity, value: unknown): CacheFile {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', fileKey(identity, salt), iv);
  cipher.setAAD(Buffer.from(identity.nodeId));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    v: FILE_VERSION,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** The value `sealJson` sealed, or undefined when it is not ours, not for this identity, or damaged. */
export function openJson(identity: TokenIdentity, file: unknown): unknown {
  try {
    const f = file as CacheFile;
    if (!f || f.v !== FILE_VERSION) return undefined;
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      fileKey(identity, Buffer.from(f.salt, 'base64')),
      Buffer.from(f.iv, 'base64'),
    );
    decipher.setAAD(Buffer.from(identity.nodeId));
    decipher.setAuthTag(Buffer.from(f.tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(f.data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(plain) as unknown;
  } catch {
    return undefined;
  }
}

export function encryptTokens(identity: TokenIdentity, tokens: StoredTokens): CacheFile {
  return sealJson(identity, tokens);
}

/** The tokens in a cache file, or undefined when it is not ours, not for this identity, or damaged. */
export function decryptTokens(identity: TokenIdentity, file: unknown): StoredTokens | undefined {
  const tokens = openJson(identity, file) as StoredTokens | undefined;
  if (!tokens || typeof tokens !== 'object') return undefined;
  if (typeof tokens.accessToken !== 'string' || typeof tokens.apiDomain !== 'string') {
    return undefined;
  }
  if (!Number.isFinite(tokens.expiresAt)) return undefined;
  return tokens;
}

/** Writes the encrypted cache atomically with owner-only permissions. Never throws. */
export function writeCacheFile(
  userDir: string,
  identity: TokenIdentity,
  tokens: StoredTokens,
): boolean {
  const file = cacheFile(userDir, identity.nodeId);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, JSON.stringify(encryptTokens(identity, tokens)), { mode: 0o600 });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do
    }
    return false;
  }
}

export function readCacheFile(userDir: string, identity: TokenIdentity): StoredTokens | undefined {
  try {
    return decryptTokens(
      identity,
      JSON.parse(fs.readFileSync(cacheFile(userDir, identity.nodeId), 'utf8')),
    );
  } catch {
    return undefined;
  }
}

export function removeCacheFile(userDir: string | undefined, nodeId: string): void {
  if (!userDir) return;
  try {
    fs.rmSync(cacheFile(userDir, nodeId), { force: true });
  } catch {
    // best effort
  }
}

export interface NodeTokenStoreOptions {
  identity: TokenIdentity;
  /** Node-RED's user directory; without one the cache lives in memory and credentials only. */
  userDir?: string;
  /** The node's current credentials in the runtime. */
  readCredentials(): ZohoConfigCredentials | undefined;
  /** Writes credentials through RED.nodes.addCredentials. */
  writeCredentials(creds: ZohoConfigCredentials): void;
  onError?(message: string): void;
}

/** The TokenStore a zoho-config node hands to its ZohoConnection. */
export class NodeTokenStore implements TokenStore {
  private memory?: StoredTokens;
  private loaded = false;

  constructor(private readonly options: NodeTokenStoreOptions) {}

  load(): StoredTokens | undefined {
    if (this.loaded) return this.memory;
    this.loaded = true;
    const { identity, userDir } = this.options;
    const candidates = [
      tokensFromCredentials(identity, this.options.readCredentials()),
      userDir ? readCacheFile(userDir, identity) : undefined,
    ].filter((t): t is StoredTokens => Boolean(t));
    candidates.sort((a, b) => b.expiresAt - a.expiresAt);
    this.memory = candidates[0];
    return this.memory;
  }

  save(tokens: StoredTokens): void {
    this.memory = tokens;
    this.loaded = true;
    const { identity, userDir } = this.options;
    try {
      const existing = this.options.readCredentials() ?? {};
      // Only write when the credentials still belong to this refresh token: a reconnect in the
      // meantime must not be overwritten by a refresh that finished late.
      if (existing.refreshToken === identity.refreshToken) {
        this.options.writeCredentials({ ...existing, ...tokenCredentials(identity, tokens) });
      }
    } catch {
      this.options.onError?.('could not record the access token in the node credentials');
    }
    if (userDir && !writeCacheFile(userDir, identity, tokens)) {
      this.options.onError?.('could not write the token cache under the user directory');
    }
  }
}
