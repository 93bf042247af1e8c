/**
 * Judges the requests the sandbox recorded: an unsafe path (dot segments, an encoded slash,
 * "?", "#" or control characters inside a segment, injected text reaching the path), an altered
 * query (a query key nobody meant to send), and a COQL or criteria literal that changed the
 * shape of the query it was bound into. Read from the raw request-target, before any decoding.
 */
import { parseCriteria } from '../../src/sandbox/crm/criteria';
import { parseQuery } from '../../src/sandbox/crm/coql-parse';
import type { RecordedRequest } from '../../src/sandbox/types';

const hasControl = (s: string): boolean =>
  [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Why a request's path or query is unsafe, or undefined when it is sound. */
export function unsafeRequest(r: RecordedRequest): string | undefined {
  const target = r.target;
  if (target.includes('#')) return `fragment in ${target}`;
  const q = target.indexOf('?');
  const rawPath = q >= 0 ? target.slice(0, q) : target;
  const rawQuery = q >= 0 ? target.slice(q + 1) : '';
  for (const raw of rawPath.split('/').slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return `broken escape in ${rawPath}`;
    }
    if (seg === '.' || seg === '..') return `dot segment in ${rawPath}`;
    if (/[/\\?#]/.test(seg) || hasControl(seg)) return `unsafe segment "${seg}" in ${rawPath}`;
    if (seg.includes('INJ')) return `injected text in the path ${rawPath}`;
  }
  for (const key of new URLSearchParams(rawQuery).keys()) {
    if (key.includes('INJ') || hasControl(key)) return `injected query key "${key}"`;
  }
  return undefined;
}

/** Whether the sent COQL query still compares Last_Name with exactly `literal`. */
export function alteredCoql(r: RecordedRequest, literal: string): string | undefined {
  if (r.method !== 'POST' || r.path !== '/crm/v8/coql') return undefined;
  const text = (r.body as { select_query?: unknown } | undefined)?.select_query;
  if (typeof text !== 'string') return 'no select_query';
  let where;
  try {
    where = parseQuery(text).where;
  } catch (e) {
    return `the bound query does not parse: ${(e as Error).message}`;
  }
  if (
    where?.kind !== 'cond' ||
    where.column !== 'Last_Name' ||
    where.op !== 'eq' ||
    where.values.length !== 1 ||
    where.values[0] !== literal
  ) {
    return `query changed shape: ${JSON.stringify(where)}`;
  }
  return undefined;
}

/** Whether the sent search criteria are still one Last_Name:equals condition on `literal`. */
export function alteredCriteria(r: RecordedRequest, literal: string): string | undefined {
  if (r.method !== 'GET' || !r.path.endsWith('/search')) return undefined;
  const raw = r.query.criteria;
  if (typeof raw !== 'string') return 'no criteria';
  let c;
  try {
    c = parseCriteria(raw);
  } catch (e) {
    return `criteria do not parse: ${(e as Error).message}`;
  }
  if (
    c.kind !== 'cond' ||
    c.field !== 'Last_Name' ||
    c.operator !== 'equals' ||
    c.values.length !== 1 ||
    c.values[0] !== literal
  ) {
    return `criteria changed shape: ${JSON.stringify(c)}`;
  }
  return undefined;
}

/** API requests (the token endpoint left out). */
export const apiRequests = (rs: RecordedRequest[]): RecordedRequest[] =>
  rs.filter((r) => !r.path.startsWith('/oauth/'));
