/**
 * Watch nodes start once the whole flow runs, so a Catch node of their flow sees an error on
 * deploy: one 'flows:started' listener per runtime, however many watch nodes wait on it.
 */
import type { NodeAPI } from 'node-red';

const waiting = new WeakMap<object, Set<() => void>>();

/** Calls `fn` at the next 'flows:started'; returns the call that stops waiting. */
export function onFlowsStarted(RED: NodeAPI, fn: () => void): () => void {
  let set = waiting.get(RED.events);
  if (!set) {
    const fresh = new Set<() => void>();
    set = fresh;
    waiting.set(RED.events, fresh);
    RED.events.on('flows:started', () => [...fresh].forEach((f) => f()));
  }
  set.add(fn);
  const own = set;
  return () => own.delete(fn);
}
