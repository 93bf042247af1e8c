/**
 * State that several instances of the pack (replicas behind a load balancer, a fleet of devices)
 * share about one Zoho account, so that together they behave as one client towards Zoho's
 * accounts server: Zoho mints at most 10 access tokens per refresh token in 10 minutes
 * (docs/ZOHO-FACTS.md), which N instances refreshing on their own soon exceed.
 *
 * The client library only speaks this interface; the store behind it (Redis, in
 * src/nodes/runtime/shared-state) is chosen and loaded by whoever builds the connection. Every
 * method may reject when the store is unreachable: the caller then works on its own, as a
 * single instance does, and says so (the `onHealth` listener).
 */
import type { StoredTokens } from './auth';

export interface SharedTokenStore {
  /** The fleet's current access token, or undefined (none yet, or not readable by us). */
  read(): Promise<StoredTokens | undefined>;
  write(tokens: StoredTokens): Promise<void>;
  /**
   * Takes the fleet's refresh lease for `ttlMs` (it lapses by itself if its holder dies): an
   * id to release it with, or undefined while another instance holds it.
   */
  acquire(ttlMs: number): Promise<string | undefined>;
  /** Gives the lease back, only if `lease` still holds it (compare and delete). */
  release(lease: string): Promise<void>;
  /** Epoch ms until which Zoho throttles the fleet's token requests, if it does. */
  pausedUntil(): Promise<number | undefined>;
  /** Tells every instance that Zoho throttled the token endpoint until `untilMs` (epoch ms). */
  pause(untilMs: number): Promise<void>;
  /** Listens to the store going down (false) and coming back (true); returns the unsubscribe. */
  onHealth?(listener: (up: boolean) => void): () => void;
  /** Whether the store answered its last command (true before it was ever used). */
  healthy?(): boolean;
}

/**
 * Answers a fleet shares so only one instance asks Zoho (Books organization discovery). Every
 * method may reject when the store is unreachable: the caller then asks Zoho itself.
 */
export interface SharedCache {
  /** The value stored under `name`, or undefined (none, lapsed, or not readable by us). */
  get(name: string): Promise<unknown>;
  /** Stores `value` under `name` for `ttlMs`. */
  set(name: string, value: unknown, ttlMs: number): Promise<void>;
  /**
   * Takes the lease of asking Zoho for `name` for `ttlMs` (it lapses by itself if its holder
   * dies): an id to release it with, or undefined while another instance holds it. A store
   * without leases lets every instance ask.
   */
  acquire?(name: string, ttlMs: number): Promise<string | undefined>;
  /** Gives the lease back, only if `lease` still holds it. */
  release?(name: string, lease: string): Promise<void>;
}
