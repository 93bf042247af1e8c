/**
 * What the CRM route handlers share: the store, the sandbox context, the page-token table and
 * the change events.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxContext, SandboxReply, SandboxRequest } from '../types';
import type { CrmStore } from './store';
import type { CrmChange, FieldDef, ModuleDef, RecordData, StoredRecord } from './types';
import { invalidModule } from './util';

/** Zoho keeps a page token valid for a day. */
export const PAGE_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface PageCursor {
  module: string;
  sortBy: string;
  desc: boolean;
  /** Sort key and id of the last record served. */
  after: { key: number | string; id: string };
  page: number;
  perPage: number;
  since?: number;
  ids?: string[];
  expiresAt: number;
}

export class CrmContext {
  private readonly tokens = new Map<string, PageCursor>();

  constructor(
    readonly store: CrmStore,
    readonly sandbox: SandboxContext,
  ) {}

  now(): number {
    return this.sandbox.now();
  }

  emit(change: Omit<CrmChange, 'time'>): void {
    if (change.ids.length === 0) return;
    this.sandbox.events.emit('crm.change', { ...change, time: this.now() });
  }

  /** The module named in the path, or Zoho's INVALID_MODULE answer. */
  module(req: SandboxRequest): ModuleDef | SandboxReply {
    return this.store.modules.get(req.params.module ?? '') ?? invalidModule();
  }

  issueToken(cursor: Omit<PageCursor, 'expiresAt'>): { token: string; expiresAt: number } {
    const now = this.now();
    for (const [k, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(k);
    const token = randomBytes(24).toString('hex');
    const expiresAt = now + PAGE_TOKEN_TTL_MS;
    this.tokens.set(token, { ...cursor, expiresAt });
    return { token, expiresAt };
  }

  cursor(token: string): PageCursor | undefined {
    const c = this.tokens.get(token);
    return c && c.expiresAt > this.now() ? c : undefined;
  }

  /** A record as Zoho returns it: every field of the module (null when empty), or `fields`. */
  present(def: ModuleDef, rec: StoredRecord, fields?: string[]): RecordData {
    const out: RecordData = {};
    const names = fields ?? def.fields.map((f: FieldDef) => f.api_name);
    for (const name of names) if (name !== 'id') out[name] = rec.data[name] ?? null;
    out.id = rec.id;
    return out;
  }
}

export function isReply(v: unknown): v is SandboxReply {
  return (
    typeof v === 'object' &&
    v !== null &&
    'status' in v &&
    typeof (v as SandboxReply).status === 'number'
  );
}
