/**
 * Guards the admin routes that call Zoho (the editor's pickers), which any user with
 * zoho-config.read may call as often as they like, each call costing the account credits:
 * - a failure is answered again from memory for FAILURE_TTL_MS, so a picker reopened 30 times
 *   against a failing connection costs one Zoho call, not 30 (issue 13, item 12);
 * - each user (Node-RED's req.user with adminAuth, else the remote address) may meet
 *   USER_LIMIT new failures per USER_WINDOW_MS (a different module each time, say); then the
 *   routes answer 429 until the window moves. Successes are cached by the metadata cache and
 *   cost nothing again, so an editor in normal use is never held back.
 * Both maps hold at most MAX_KEYS entries (the oldest goes first): nothing grows without bound.
 */
import { isZohoError, type ZohoError } from '../../zoho/core/errors';

export const FAILURE_TTL_MS = 30_000;
export const USER_LIMIT = 20;
export const USER_WINDOW_MS = 60_000;
export const MAX_KEYS = 500;

/** Who is asking: what Node-RED's admin auth and Express put on the request. */
export interface Caller {
  user?: { username?: string };
  ip?: string;
  socket?: { remoteAddress?: string };
}

export function callerOf(req: Caller): string {
  const name = req.user?.username;
  if (name) return `user:${name}`;
  return `addr:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
}

/** Sets `key` in `map`, dropping the oldest entry first when the map is full. */
function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_KEYS) map.delete(map.keys().next().value!);
  map.set(key, value);
}

export class AdminMeter {
  private readonly failures = new Map<string, { at: number; error: ZohoError }>();
  private readonly calls = new Map<string, number[]>();

  /** `now` is monotonic: a wall-clock step must not stretch or end a window. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The failure remembered for `key` while it is fresh. */
  recentFailure(key: string): ZohoError | undefined {
    const hit = this.failures.get(key);
    if (!hit) return undefined;
    if (this.now() - hit.at < FAILURE_TTL_MS) return hit.error;
    this.failures.delete(key);
    return undefined;
  }

  /**
   * Remembers a failure of Zoho or the connection. Input errors and the route's own errors
   * (not deployed, say) cost no Zoho call and may change a moment later: not remembered.
   */
  noteFailure(key: string, caller: string, error: unknown): void {
    if (isZohoError(error) && error.kind !== 'input') {
      setBounded(this.failures, key, { at: this.now(), error });
      this.charge(caller);
    }
  }

  /** The ms `caller` must wait when they met USER_LIMIT failures in the window, else 0. */
  admit(caller: string): number {
    const now = this.now();
    const recent = (this.calls.get(caller) ?? []).filter((t) => now - t < USER_WINDOW_MS);
    setBounded(this.calls, caller, recent);
    return recent.length >= USER_LIMIT ? USER_WINDOW_MS - (now - recent[0]) : 0;
  }

  /** Counts a failure against `caller`'s limit. */
  private charge(caller: string): void {
    const recent = this.calls.get(caller) ?? [];
    recent.push(this.now());
    setBounded(this.calls, caller, recent);
  }
}
