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
import { Region, accountsUrl as accountsUrlOf, isRegion } from '../../zoho/core/regions';
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

  /** The data centre and OAuth client a connect request names (the secret may be the stored one). */
  clientFrom(id: string, body: Record<string, unknown>): ConnectClient {
    const { region, accountsUrl } = this.regionFrom(body);
    const clientId = text(body.clientId);
    if (!clientId) throw new RouteError(400, 'INVALID_INPUT', this.t('admin.enterClientId'));
    const given = typeof body.clientSecret === 'string' ? body.clientSecret : '';
    const clientSecret =
      given && given !== PASSWORD_PLACEHOLDER ? given : this.credentialsOf(id).clientSecret;
    if (!clientSecret) throw new RouteError(400, 'INVALID_INPUT', this.t('admin.enterSecret'));
    return { region, accountsUrl, clientId, clientSecret };
  }

  /** Stores what a grant earned and tells the account (and a deployed node) about it. */
  async store(
    id: string,
    client: ConnectClient,
    result: { refreshToken: string; tokens: StoredTokens },
  ): Promise<void> {
    const { clientId, clientSecret } = client;
    const identity: TokenIdentity = { nodeId: id, clientId, clientSecret, ...result };
    const existing: ZohoConfigCredentials = { ...this.credentialsOf(id) };
    for (const key of TOKEN_KEYS) delete existing[key];
    await this.RED.nodes.addCredentials(id, {
      ...existing,
      clientId,
      clientSecret,
      refreshToken: result.refreshToken,
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
      const { state, region, apiDomain, expiresAt, error, waitUntil } = status;
      Object.assign(body, { state, region, apiDomain, expiresAt });
      if (error) body.error = this.worded(error);
      if (waitUntil) body.waitUntil = waitUntil;
      body.connected = hasRefreshToken && state !== 'error' && state !== 'not-connected';
    } else {
      const expiresAt = Number(creds.expiresAt);
      body.state = hasRefreshToken ? 'connected' : 'not-connected';
      body.region = attempt?.region;
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

  /** Revokes the refresh token at Zoho (best effort) and forgets every token here. */
  async disconnect(id: string, body: Record<string, unknown>): Promise<unknown> {
    const creds = this.credentialsOf(id);
    let revoked = false;
    if (creds.refreshToken && creds.clientId && creds.clientSecret) {
      try {
        const live = this.liveNode(id);
        const settings = live ? live : this.regionFrom(body);
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

  private regionFrom(body: Record<string, unknown>): { region: Region; accountsUrl: string } {
    const region = text(body.region) || 'com';
    if (!isRegion(region)) {
      throw new RouteError(400, 'INVALID_INPUT', this.t('admin.unknownRegion'));
    }
    const custom = region === 'custom' ? text(body.accountsUrl) : undefined;
    return { region, accountsUrl: accountsUrlOf({ region, accountsUrl: custom }) };
  }

  private credentialsOf(id: string): ZohoConfigCredentials {
    return this.RED.nodes.getCredentials(id) ?? {};
  }

  private liveNode(id: string): ZohoConfigNode | undefined {
    const node = this.RED.nodes.getNode(id);
    return isZohoConfigNode(node) ? node : undefined;
  }
}
