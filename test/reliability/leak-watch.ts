/**
 * What a stopped flow leaves behind. Timers: the global setTimeout/setInterval are wrapped while
 * the watch is on, and every live timer created from the pack's own code (dist/src) is listed
 * with where it was made; unref'd timers count too (getActiveResourcesInfo does not show them).
 * Sockets and other handles: process.getActiveResourcesInfo() against a baseline.
 */
import * as path from 'node:path';

/** The pack's code as stacks name it: dist/src, or src/ when source maps are on. */
const PACK_SRC = [
  path.resolve(__dirname, '..', '..', 'src') + path.sep,
  path.resolve(__dirname, '..', '..', '..', 'src') + path.sep,
];

type TimerFn = typeof setTimeout;

export class TimerWatch {
  private readonly live = new Map<unknown, string>();
  private saved?: {
    setTimeout: TimerFn;
    setInterval: typeof setInterval;
    clearTimeout: typeof clearTimeout;
    clearInterval: typeof clearInterval;
  };

  install(): void {
    if (this.saved) return;
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = {
      setTimeout: globalThis.setTimeout,
      setInterval: globalThis.setInterval,
      clearTimeout: globalThis.clearTimeout,
      clearInterval: globalThis.clearInterval,
    };
    this.saved = saved;
    const live = this.live;
    const where = (): string => new Error().stack?.split('\n').slice(3).join('\n') ?? '';
    g.setTimeout = function (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) {
      const handle: unknown = saved.setTimeout(
        (...a: unknown[]) => {
          live.delete(handle);
          fn(...a);
        },
        ms,
        ...args,
      );
      live.set(handle, where());
      return handle;
    };
    g.setInterval = function (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) {
      const handle = saved.setInterval(fn, ms, ...args);
      live.set(handle, where());
      return handle;
    };
    g.clearTimeout = (h: Parameters<typeof clearTimeout>[0]) => {
      live.delete(h);
      saved.clearTimeout(h);
    };
    g.clearInterval = (h: Parameters<typeof clearInterval>[0]) => {
      live.delete(h);
      saved.clearInterval(h);
    };
  }

  uninstall(): void {
    if (!this.saved) return;
    Object.assign(globalThis, this.saved);
    this.saved = undefined;
  }

  /** Live timers made by the pack's code, each as the first pack frame of its stack. */
  packTimers(): string[] {
    const out: string[] = [];
    for (const stack of this.live.values()) {
      const frame = stack.split('\n').find((l) => PACK_SRC.some((p) => l.includes(p)));
      if (frame) out.push(frame.trim());
    }
    return out;
  }

  /** Clears what the watch saw (after a test planted a timer on purpose). */
  clearAll(): void {
    for (const h of this.live.keys()) this.saved?.clearTimeout(h as NodeJS.Timeout);
    this.live.clear();
  }
}

/** Handles by kind (TCPSocketWrap, Timeout, …), as Node reports them. */
export function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** Kinds that grew from `base` to `now`, with the growth. */
export function grown(
  base: Record<string, number>,
  now: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(now)) if (v > (base[k] ?? 0)) out[k] = v - (base[k] ?? 0);
  return out;
}
