/**
 * What the connect endpoints do with a zoho-config's credentials: read the OAuth client a
 * request names (falling back to the stored secret), store what a grant earned, answer the
 * editor's status poll from the account's state, and disconnect. Deployed or not: a new node in
 * the editor connects before its first deploy.
 */
import type { NodeAPI } from 'node-red';
import type { AccountConnection } from '../../zoho/core/account-connection';
import { StoredTokens, revokeRefreshToken } from '../../zoho/core/auth';
import { ZohoError, ZohoErrorShape } from '../../zoho/core/errors';
import {
  Environment,
  Region,
  RegionSettings,
  accountsUrl as accountsUrlOf,
  isEnvironment,
  isRegion,
  issuerOf,
  settingsOfIssuer,
} from '../../zoho/core/regions';
import { RouteError, text } from '../runtime/admin-http';
import { ZohoConfigNode, isZohoConfigNode } from '../runtime/config-node';
import { errorShape, errorTexts } from '../runtime/errors';
import { Translate, translator } from '../runtime/i18n';
import {
  TOKEN_KEYS,
  TokenIdentity,
  ZohoConfigCredentials,
  removeCacheFile,
  tokenCredentials,
  writeCacheFile,
} from './token-store';
import type { OAuthStates } from './oauth-states';
import { regionSettingsOf } from './settings';

export interface AdminDeps {
  states: OAuthStates;
  /** The account of a zoho-config id, created on first ask (a node may not be deployed yet). */
  account(id: string): AccountConnection;
  /** The account of a zoho-config id if there is one; never creates. */
  findAccount(id: string): AccountConnection | undefined;
  /** Node-RED's user directory, for the encrypted token cache. */
  userDir(): string | undefined;
}

const PASSWORD_PLACEHOLDER = '__PWRD__';

export interface ConnectClient {
  region: Region;
  accountsUrl: string;
  environment: Environment;
  allowInsecureHttp?: boolean;
  clientId: string;
  clientSecret: string;
}

export class ConnectionAdmin {
  private readonly t: Translate;

  constructor(
    private readonly RED: NodeAPI,
    private readonly deps: AdminDeps,
  ) {
    this.t = translator(RED, 'zoho-config');
  }

  /** The id must be a zoho-config (deployed) or not deployed yet (a new node in the editor). */
  checkNode(id: string): string {
    const node = this.RED.nodes.getNode(id);
    if (node && !isZohoConfigNode(node)) {
      throw new RouteError(400, 'INVALID_INPUT', this.t('admin.notConfigNode'));
    }
    return id;
  }

  /**
   * The data centre and OAuth client a connect request names. A secret typed in the request goes
   * where the request says; the stored secret only where the node's stored settings say (never
   * the request's), and a request that names other settings is refused.
   */
  clientFrom(id: string, body: Record<string, unknown>): ConnectClient {
    const asked = this.regionFrom(body);
    const clientId = text(body.clientId);
    if (!clientId) throw new RouteError(400, 'INVALID_INPUT', this.t('admin.enterClientId'));
    const given = typeof body.clientSecret === 'string' ? body.clientSecret : '';
    if (given && given !== PASSWORD_PLACEHOLDER) {
      return { ...asked, accountsUrl: accountsUrlOf(asked), clientId, clientSecret: given };
    }
    const clientSecret = this.credentialsOf(id).clientSecret;
    const stored = this.storedSettings(id);
    if (!clientSecret || !stored) {
      throw new RouteError(400, 'INVALID_INPUT', this.t('admin.enterSecret'));
    }
    if (issuerOf(stored) !== issuerOf(asked)) {
      throw new RouteError(400, 'INVALID_INPUT', this.t('admin.storedSecretElsewhere'));
    }
    const environment = stored.environment ?? 'production';
    return { ...stored, environment, accountsUrl: accountsUrlOf(stored), clientId, clientSecret };
  }

  /**
   * Where the node's stored secret may go: the deployed node's settings, else (a node connected
   * before its first deploy) where its refresh token was issued.
   */
  private storedSettings(id: string): RegionSettings | undefined {
    const live = this.liveNode(id);
    return live ? regionSettingsOf(live) : settingsOfIssuer(this.credentialsOf(id).issuer);
  }

  /** Stores what a grant earned and tells the account (and a deployed node) about it. */
  async store(
    id: string,
    client: ConnectClient,
    result: { refreshToken: string; tokens: StoredTokens },
  ): Promise<void> {
    const { clientId, clientSecret } = client;
    const issuer = issuerOf(client);
    const identity: TokenIdentity = { nodeId: id, clientId, clientSecret, issuer, ...result };
    const existing: ZohoConfigCredentials = { ...this.credentialsOf(id) };
    for (const key of TOKEN_KEYS) delete existing[key];
    await this.RED.nodes.addCredentials(id, {
      ...existing,
      clientId,
      clientSecret,
      refreshToken: result.refreshToken,
      issuer,
      ...tokenCredentials(identity, result.tokens),
    });
    const userDir = this.deps.userDir();
    if (userDir) writeCacheFile(userDir, identity, result.tokens);
    this.deps.account(id).recordAttempt({ ok: true, region: client.region });
    this.liveNode(id)?.reloadCredentials();
    this.RED.log.info(this.t('log.connected', { id, region: client.region }));
  }

  /** The editor's view of a connection: never a token or secret. */
  async statusBody(id: string, check: boolean): Promise<Record<string, unknown>> {
    const creds = this.credentialsOf(id);
    const hasRefreshToken = Boolean(creds.refreshToken);
    const account = this.deps.findAccount(id);
    const attempt = account?.lastAttempt();
    const deployed = Boolean(this.liveNode(id));
    const body: Record<string, unknown> = { deployed, hasRefreshToken };
    if (deployed && account) {
      const status = check && hasRefreshToken ? await account.check() : account.status();
      const { state, region, environment, apiDomain, expiresAt, error, waitUntil } = status;
      Object.assign(body, { state, region, environment, apiDomain, expiresAt });
      if (error) body.error = this.worded(error);
      if (waitUntil) body.waitUntil = waitUntil;
      body.connected = hasRefreshToken && state !== 'error' && state !== 'not-connected';
    } else {
      const expiresAt = Number(creds.expiresAt);
      body.state = hasRefreshToken ? 'connected' : 'not-connected';
      const issued = settingsOfIssuer(creds.issuer);
      body.region = issued?.region ?? attempt?.region;
      body.environment = issued?.environment;
      body.apiDomain = creds.apiDomain;
      body.expiresAt = Number.isFinite(expiresAt) ? expiresAt : undefined;
      body.connected = hasRefreshToken;
    }
    if (attempt) {
      const error = attempt.error && this.worded(attempt.error);
      body.lastAttempt = { at: attempt.at, ok: attempt.ok, error };
    }
    return body;
  }

  /** A connection error as the editor shows it: the pack's advice for its code, through RED._. */
  private worded(error: ZohoErrorShape): ZohoErrorShape {
    return errorShape(new ZohoError(error), [], errorTexts(this.RED, 'zoho-config'));
  }

  /**
   * Revokes the refresh token at Zoho (best effort) and forgets every token here. The secret and
   * token go only to the accounts server that issued the token (else the deployed node's), never
   * to one the request names.
   */
  async disconnect(id: string): Promise<unknown> {
    const creds = this.credentialsOf(id);
    let revoked = false;
    const live = this.liveNode(id);
    const settings = settingsOfIssuer(creds.issuer) ?? (live && regionSettingsOf(live));
    if (settings && creds.refreshToken && creds.clientId && creds.clientSecret) {
      try {
        await revokeRefreshToken({
          accountsUrl: accountsUrlOf(settings),
          clientId: creds.clientId,
          clientSecret: creds.clientSecret,
          refreshToken: creds.refreshToken,
        });
        revoked = true;
      } catch (err) {
        const code = (err as { code?: unknown })?.code;
        this.RED.log.warn(
          this.t('log.notRevoked', { id, code: typeof code === 'string' ? code : 'error' }),
        );
      }
    }
    const kept: ZohoConfigCredentials = { ...creds };
    delete kept.refreshToken;
    for (const key of TOKEN_KEYS) delete kept[key];
    await this.RED.nodes.addCredentials(id, kept);
    removeCacheFile(this.deps.userDir(), id);
    this.deps.states.forget(id);
    this.deps.findAccount(id)?.forgetAttempt();
    this.liveNode(id)?.reloadCredentials();
    this.RED.log.info(this.t('log.disconnected', { id }));
    return { disconnected: true, revoked };
  }

  /** The settings a request names (checked: an insecure custom URL is refused here). */
  private regionFrom(body: Record<string, unknown>): RegionSettings & { environment: Environment } {
    const region = text(body.region) || 'com';
    if (!isRegion(region)) {
      throw new RouteError(400, 'INVALID_INPUT', this.t('admin.unknownRegion'));
    }
    const environment = text(body.environment) || 'production';
    if (!isEnvironment(environment)) {
      throw new RouteError(400, 'INVALID_INPUT', this.t('admin.unknownEnvironment'));
    }
    if (region !== 'custom') return { region, environment };
    const allowInsecureHttp = body.insecureHttp === true || body.insecureHttp === 'true';
    const settings = {
      region,
      environment,
      accountsUrl: text(body.accountsUrl),
      allowInsecureHttp,
    };
    accountsUrlOf(settings);
    return settings;
  }

  private credentialsOf(id: string): ZohoConfigCredentials {
    return this.RED.nodes.getCredentials(id) ?? {};
  }

  private liveNode(id: string): ZohoConfigNode | undefined {
    const node = this.RED.nodes.getNode(id);
    return isZohoConfigNode(node) ? node : undefined;
  }
}
