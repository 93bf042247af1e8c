/**
 * Each connection's outbox (the client's Outbox, one journal file under the Node-RED user
 * directory). Opened on the first message that needs it and kept across redeploys, so a
 * redeploy neither reopens the journal nor stops a replay; closed when the connection is
 * removed. The probe is a cheap read the connection's scopes allow (core/scopes.ts probeCall:
 * CRM's GET /org, one credit, or for a Books-only grant Books' GET /organizations): any answer
 * from Zoho, even a refusal, means it can be reached; only "could not reach" keeps it waiting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ZohoConnection } from '../../zoho/core/connection';
import { ZohoError, unreachable } from '../../zoho/core/errors';
import type { JournalLimits, WhenFull } from '../../zoho/core/outbox/journal';
import { Outbox } from '../../zoho/core/outbox/outbox';
import { probeCall } from '../../zoho/core/scopes';

const outboxes = new Map<string, Promise<Outbox>>();

export const OUTBOX_DEFAULTS = { maxMessages: 10_000, maxMB: 50, whenFull: 'refuse' as WhenFull };

/** The limits a zoho-config's settings give (defaults for empty or nonsense values). */
export function outboxLimits(def: {
  outboxMaxMessages?: unknown;
  outboxMaxMB?: unknown;
  outboxWhenFull?: unknown;
}): JournalLimits {
  const num = (value: unknown, fallback: number): number => {
    const n = Number(value);
    return value === '' || value === undefined || !Number.isFinite(n) || n <= 0 ? fallback : n;
  };
  return {
    maxEntries: Math.floor(num(def.outboxMaxMessages, OUTBOX_DEFAULTS.maxMessages)),
    maxBytes: Math.floor(num(def.outboxMaxMB, OUTBOX_DEFAULTS.maxMB) * 1024 * 1024),
    whenFull: def.outboxWhenFull === 'drop-oldest' ? 'drop-oldest' : 'refuse',
  };
}

/** The file of a connection's journal. */
export function outboxFile(userDir: string, configId: string): string {
  return path.join(userDir, 'zoho-outbox', `${configId.replace(/[^\w.-]/g, '_')}.journal`);
}

export function openOutbox(
  configId: string,
  userDir: string | undefined,
  limits: JournalLimits,
  connection: () => ZohoConnection,
): Promise<Outbox> {
  // Keyed by file: a runtime whose user directory changes (tests do) opens the other journal.
  const file = userDir ? outboxFile(userDir, configId) : '';
  let found = outboxes.get(file);
  if (found) {
    void found.then((o) => o.setLimits(limits)).catch(() => undefined);
    return found;
  }
  if (!userDir) {
    return Promise.reject(
      new ZohoError({
        code: 'OUTBOX_UNAVAILABLE',
        kind: 'config',
        message:
          "The outbox keeps its journal in Node-RED's user directory, and this runtime has none",
      }),
    );
  }
  found = Outbox.open({
    file,
    limits,
    probe: async () => {
      try {
        // One attempt: the outbox backs off itself, and a probe stuck in the connection's
        // retries would hold the replay (and a flush) on a connection that may be gone. For
        // the same reason it does not wait out the token's own network back-off.
        const conn = connection();
        conn.auth.retryNetworkNow();
        const { product, path } = probeCall(conn.scopes);
        await conn.request({ product, method: 'GET', path, retry: { maxRetries: 0 } });
      } catch (error) {
        if (unreachable(error)) throw error;
      }
    },
  });
  outboxes.set(file, found);
  found.catch(() => outboxes.delete(file));
  return found;
}

/** Closes a removed connection's outbox; its journal stays on disk for a later connection. */
export async function closeOutbox(configId: string, userDir: string | undefined): Promise<void> {
  if (!userDir) return;
  const file = outboxFile(userDir, configId);
  const found = outboxes.get(file);
  outboxes.delete(file);
  await found?.then((o) => o.close()).catch(() => undefined);
}

/** Whether a connection has an outbox to show: open in this runtime, or a journal on disk. */
export function hasOutbox(configId: string, userDir: string | undefined): boolean {
  if (!userDir) return false;
  const file = outboxFile(userDir, configId);
  return outboxes.has(file) || fs.existsSync(file);
}
