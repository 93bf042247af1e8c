/**
 * Helpers shared by the CRM routes: Zoho's error envelope, time format and query parsing.
 */
import type { SandboxReply } from '../types';

export function error(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): SandboxReply {
  return { status, body: { code, details, message, status: 'error' } };
}

export const invalidModule = (): SandboxReply =>
  error(400, 'INVALID_MODULE', 'The module name given seems to be invalid', {
    resource_path_index: 0,
  });

export const paramMissing = (param: string): SandboxReply =>
  error(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
    param,
    param_name: param,
  });

export const invalidParam = (param: string, extra: Record<string, unknown> = {}): SandboxReply =>
  error(400, 'INVALID_DATA', 'invalid data', { param, param_name: param, ...extra });

export const noContent = (): SandboxReply => ({ status: 204 });

/** Zoho ids: 19-digit numbers. Anything else in an id position is INVALID_DATA. */
export const isZohoId = (s: unknown): s is string => typeof s === 'string' && /^\d{1,19}$/.test(s);

const pad = (n: number, w = 2): string => String(Math.trunc(n)).padStart(w, '0');

/** Zoho's ISO-8601 with offset and no milliseconds: 2024-05-03T10:15:30+05:30. */
export function formatTime(ms: number, offsetMinutes = 0): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `${sign}${pad(abs / 60)}:${pad(abs % 60)}`
  );
}

export function formatDate(ms: number): string {
  return formatTime(ms).slice(0, 10);
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms of a Zoho datetime (offset required), or undefined. */
export function parseDateTime(s: unknown): number | undefined {
  if (typeof s !== 'string' || !DATETIME_RE.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export function isDate(s: unknown): s is string {
  if (typeof s !== 'string' || !DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Integer query parameter; undefined when absent, NaN when malformed. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  return /^\d+$/.test(v) ? Number(v) : NaN;
}

export function splitList(s: string | null): string[] {
  return (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}
