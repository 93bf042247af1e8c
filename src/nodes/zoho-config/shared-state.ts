/**
 * A zoho-config node's "Shared state" setting: this instance only (the default: nothing is
 * loaded) or Redis (runtime/shared-state), where every instance holding the same credentials
 * shares the access token, its refresh lease and Zoho's throttle.
 */
import { ZohoError, invalidInput } from '../../zoho/core/errors';
import type { SharedTokenStore } from '../../zoho/core/shared';
import { RedisLink, RedisMissingError, openRedisLink } from '../runtime/shared-state/redis';
import type { CheckpointStore } from '../../zoho/crm/change-poller';
import { RedisPollShare } from '../runtime/shared-state/poll';
import { RedisChannelShare } from '../runtime/shared-state/channel';
import { RedisSharedCache } from '../runtime/shared-state/cache';
import {
  DEFAULT_PREFIX,
  RedisSharedTokens,
  SharedIdentity,
  keyBase,
} from '../runtime/shared-state/tokens';
import type { Translate } from '../runtime/i18n';

export interface SharedStateDef {
  sharedState?: string;
  redisUrl?: string;
  redisPrefix?: string;
}

export type SharedStateChoice =
  { kind: 'instance' } | { kind: 'redis'; url: string; prefix: string; password?: string };

/** Key prefixes stay readable in redis-cli and cannot hold spaces or control characters. */
const PREFIX_RE = /^[\x21-\x7E]{0,100}$/;

/** The node's choice; a Redis choice that cannot work is a config error naming its field. */
export function readSharedState(
  def: SharedStateDef,
  password: string | undefined,
  t: Translate,
): { choice: SharedStateChoice; error?: ZohoError } {
  if (def.sharedState !== 'redis') return { choice: { kind: 'instance' } };
  const url = (def.redisUrl ?? '').trim();
  const prefix = (def.redisPrefix ?? '').trim() || DEFAULT_PREFIX;
  const choice: SharedStateChoice = { kind: 'redis', url, prefix, password: password || undefined };
  if (!/^rediss?:\/\/[^\s/]+/i.test(url)) {
    return { choice, error: invalidInput(t('log.badRedisUrl'), 'redisUrl') };
  }
  if (!PREFIX_RE.test(prefix)) {
    return { choice, error: invalidInput(t('log.badRedisPrefix'), 'redisPrefix') };
  }
  return { choice };
}

/** The node's shared state as its settings say, and the config error they make, if any. */
export function nodeSharedState(
  def: SharedStateDef,
  password: string | undefined,
  t: Translate,
): { shared: NodeSharedState; error?: ZohoError } {
  const { choice, error } = readSharedState(def, password, t);
  return { shared: new NodeSharedState(choice, t), error };
}

/** The node's Redis link, opened on first use and released when the node closes. */
export class NodeSharedState {
  private handle?: { release: () => void; link: RedisLink; prefix: string };

  constructor(
    private readonly choice: SharedStateChoice,
    private readonly t: Translate,
  ) {}

  /** The shared token store for these credentials; undefined when the node shares nothing. */
  tokens(identity: SharedIdentity): SharedTokenStore | undefined {
    const handle = this.open();
    return handle && new RedisSharedTokens(handle.link, identity, handle.prefix);
  }

  /** Answers shared across the fleet (Books organizations); undefined when nothing is shared. */
  cache(identity: SharedIdentity): RedisSharedCache | undefined {
    const handle = this.open();
    return handle && new RedisSharedCache(handle.link, keyBase(handle.prefix, identity), identity);
  }

  /** One poller for the watch node `nodeId` across the fleet; undefined when nothing is shared. */
  poll(
    identity: SharedIdentity,
    nodeId: string,
    intervalMs: number,
    local: CheckpointStore,
  ): RedisPollShare | undefined {
    const handle = this.open();
    if (!handle) return undefined;
    const base = keyBase(handle.prefix, identity);
    return new RedisPollShare(handle.link, base, nodeId, intervalMs, local);
  }

  /** One channel for the webhook watch node `nodeId` across the fleet; undefined when nothing is shared. */
  channel(
    identity: SharedIdentity,
    nodeId: string,
    leaseMs: number,
  ): RedisChannelShare | undefined {
    const handle = this.open();
    if (!handle) return undefined;
    const base = keyBase(handle.prefix, identity);
    return new RedisChannelShare(handle.link, base, nodeId, identity, leaseMs);
  }

  private open(): NodeSharedState['handle'] {
    const choice = this.choice;
    if (choice.kind !== 'redis') return undefined;
    if (!this.handle) {
      try {
        const { link, release } = openRedisLink({ url: choice.url, password: choice.password });
        this.handle = { release, link, prefix: choice.prefix };
      } catch (err) {
        if (!(err instanceof RedisMissingError)) throw err;
        throw new ZohoError({
          code: 'REDIS_MISSING',
          kind: 'config',
          param: 'sharedState',
          message: this.t('log.redisMissing'),
        });
      }
    }
    return this.handle;
  }

  close(): void {
    this.handle?.release();
    this.handle = undefined;
  }
}
