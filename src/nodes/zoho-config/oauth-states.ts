/**
 * Pending OAuth consents. The callback cannot take an admin permission (Zoho's redirect carries
 * no admin token), so it is guarded by the `state` handed out by the permission-guarded start
 * endpoint: 128+ random bits, single use, ten minutes.
 */
import * as crypto from 'node:crypto';
import type { ConnectClient } from './connection-admin';

export interface PendingAuth extends ConnectClient {
  nodeId: string;
  redirectUri: string;
}

interface Entry extends PendingAuth {
  expires: number;
}

export const STATE_TTL_MS = 10 * 60_000;
/** Bounds memory if someone with write permission starts flows in a loop. */
const MAX_PENDING = 200;

export class OAuthStates {
  private readonly pending = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = STATE_TTL_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Remembers what finishing needs; returns the state to put in the consent URL. */
  create(auth: PendingAuth): string {
    this.sweep();
    while (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.pending.delete(oldest);
    }
    const state = crypto.randomBytes(24).toString('base64url');
    this.pending.set(state, { ...auth, expires: this.now() + this.ttlMs });
    return state;
  }

  /** The pending consent for `state`, consumed; undefined when unknown, expired or used. */
  take(state: unknown): PendingAuth | undefined {
    this.sweep();
    if (typeof state !== 'string' || state.length < 16 || state.length > 128) return undefined;
    const entry = this.pending.get(state);
    if (!entry) return undefined;
    this.pending.delete(state);
    if (entry.expires <= this.now()) return undefined;
    const pending: PendingAuth & { expires?: number } = { ...entry };
    delete pending.expires;
    return pending;
  }

  /** Forgets every pending consent of a node (disconnect, node removed). */
  forget(nodeId: string): void {
    for (const [state, entry] of this.pending) {
      if (entry.nodeId === nodeId) this.pending.delete(state);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [state, entry] of this.pending) {
      if (entry.expires <= now) this.pending.delete(state);
    }
  }
}
