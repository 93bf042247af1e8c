/**
 * The one error shape flow nodes put on msg.error, and the Error they hand to done() so Catch
 * nodes see it. Nothing a library error drags along (an HTTP client's request config, a token)
 * leaves: only message, code, status and details, with every known secret scrubbed.
 */
import { isZohoError } from '../../zoho/core/errors';
import { redactText } from '../../zoho/core/redact';

export interface ErrorShape {
  message: string;
  /** Zoho's code (INVALID_DATA, …) or the pack's (INVALID_INPUT, TOKEN_REVOKED, …). */
  code: string;
  status?: number;
  details?: unknown;
}

function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = /^(authorization|access_?token|refresh_?token|client_?secret)$/i.test(k)
      ? '***'
      : scrub(v, secrets, depth + 1);
  }
  return out;
}

/** Any thrown value as the shared shape, secrets removed. */
export function errorShape(err: unknown, secrets: readonly string[] = []): ErrorShape {
  if (isZohoError(err)) {
    const shape: ErrorShape = { message: redactText(err.message, secrets), code: err.code };
    if (err.status !== undefined) shape.status = err.status;
    if (err.details !== undefined) shape.details = scrub(err.details, secrets);
    return shape;
  }
  if (err instanceof FlowError) return err.shape;
  const message = err instanceof Error ? err.message : String(err);
  return { message: redactText(message || 'Unknown error', secrets), code: 'ERROR' };
}

/**
 * What done(err) receives. Node-RED copies `message` and `code` into the Catch node's
 * msg.error (and moves the msg.error we set, the full shape, to msg._error).
 */
export class FlowError extends Error {
  readonly code: string;
  constructor(readonly shape: ErrorShape) {
    super(shape.message);
    this.name = 'ZohoError';
    this.code = shape.code;
  }
}

/** The error of a write where some records failed; the results are sent all the same. */
export function partialFailure(
  failed: { index: number; code: string; message: string }[],
  total: number,
): ErrorShape {
  const first = failed[0];
  const succeeded = total - failed.length;
  return {
    message: `${failed.length} of ${total} records failed (record ${first.index}: ${first.code}${first.message ? ` ${first.message}` : ''}); msg.payload has every result`,
    code: first.code,
    status: succeeded > 0 ? 207 : 400,
    details: { failed, succeeded, total },
  };
}

/** Codes that mean the connection, not the message, needs the user. */
export const AUTH_CODES = new Set([
  'NOT_CONNECTED',
  'TOKEN_REVOKED',
  'INVALID_CLIENT',
  'TOKEN_THROTTLED',
  'INVALID_TOKEN',
  'AUTHENTICATION_FAILURE',
  'OAUTH_SCOPE_MISMATCH',
]);
