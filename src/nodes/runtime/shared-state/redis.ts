/**
 * The one Redis link of a runtime per server (URL + password): the `redis` npm client, loaded
 * only when a zoho-config node chooses Redis (an optional peer dependency, so users of a single
 * instance carry nothing more), and every command through `command()`.
 *
 * A command never waits for a Redis that is down: the client's offline queue is off and each
 * command has a deadline, so a caller learns at once that it must work on its own; the link
 * reconnects in the background and tells its listeners when Redis is back.
 */
import { EventEmitter } from 'node:events';

/** The part of the `redis` client (v4 and v5) the pack uses: raw commands keep it small. */
interface RedisClientLike {
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy?(): void;
  disconnect?(): Promise<void>;
}

interface RedisModule {
  createClient(options: Record<string, unknown>): RedisClientLike;
}

/** Thrown when the `redis` package is not installed: zoho-config words it for the user. */
export class RedisMissingError extends Error {
  readonly code = 'REDIS_MISSING';
}

/** `moduleName` is only ever changed by tests (a package that is surely absent). */
export function loadRedis(moduleName = 'redis'): RedisModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(moduleName) as Partial<RedisModule>;
    if (typeof loaded.createClient !== 'function') throw new Error('no createClient');
    return loaded as RedisModule;
  } catch (err) {
    throw new RedisMissingError(
      `The npm package "${moduleName}" is not installed (${String((err as Error)?.message ?? err).split('\n')[0]})`,
    );
  }
}

export interface RedisSettings {
  url: string;
  password?: string;
  /** The module to load; tests only. */
  moduleName?: string;
}

/** Longest a command may take before the caller works without Redis. */
const COMMAND_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 5_000;

export class RedisLink extends EventEmitter {
  private readonly client: RedisClientLike;
  private up = false;
  private closed = false;
  private ever = false;
  /** Settles at the first connection attempt's outcome: a command sent sooner would fail. */
  private readonly firstAttempt: Promise<void>;
  private attempted: () => void = () => undefined;

  constructor(settings: RedisSettings) {
    super();
    this.firstAttempt = new Promise((resolve) => (this.attempted = resolve));
    const redis = loadRedis(settings.moduleName);
    this.client = redis.createClient({
      url: settings.url,
      ...(settings.password ? { password: settings.password } : {}),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: COMMAND_TIMEOUT_MS,
        reconnectStrategy: (retries: number) =>
          Math.min(100 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS),
      },
    });
    // Without an error listener the client's errors would crash Node-RED.
    this.client.on('error', () => this.health(false));
    this.client.on('end', () => this.health(false));
    this.client.on('ready', () => this.health(true));
    this.client.connect().catch(() => this.health(false));
  }

  /** Whether Redis answered last (true until it was first tried: nothing is known yet). */
  healthy(): boolean {
    return this.up || !this.ever;
  }

  async command(args: string[]): Promise<unknown> {
    if (this.closed) throw new Error('the Redis link is closed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('Redis did not answer in time')),
        COMMAND_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([this.firstAttempt, deadline]);
      const reply = await Promise.race([this.client.sendCommand(args), deadline]);
      this.health(true);
      return reply;
    } catch (err) {
      this.health(false);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.removeAllListeners();
    try {
      if (this.client.destroy) this.client.destroy();
      else void this.client.disconnect?.().catch(() => undefined);
    } catch {
      // already gone
    }
  }

  private health(up: boolean): void {
    const changed = up !== this.up || !this.ever;
    this.ever = true;
    this.up = up;
    this.attempted();
    if (changed && !this.closed) this.emit('health', up);
  }
}

interface Shared {
  link: RedisLink;
  users: number;
}

const links = new Map<string, Shared>();

/** The runtime's link to this Redis, shared by every zoho-config node using it; `release` once. */
export function openRedisLink(settings: RedisSettings): {
  link: RedisLink;
  release: () => void;
} {
  const key = JSON.stringify([settings.url, settings.password ?? '', settings.moduleName ?? '']);
  let shared = links.get(key);
  if (!shared) {
    shared = { link: new RedisLink(settings), users: 0 };
    links.set(key, shared);
  }
  shared.users++;
  const mine = shared;
  let released = false;
  return {
    link: mine.link,
    release: () => {
      if (released) return;
      released = true;
      if (--mine.users > 0) return;
      links.delete(key);
      mine.link.close();
    },
  };
}
