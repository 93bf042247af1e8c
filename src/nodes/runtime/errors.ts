/**
 * The one error shape flow nodes put on msg.error, and the Error they hand to done() so Catch
 * nodes see it. Nothing a library error drags along (an HTTP client's request config, a token)
 * leaves: only message, code, kind, param, status and details, with every known secret scrubbed.
 *
 * The message is the user's: where the pack has advice for a code (reconnect, check the client
 * id, …) it comes from the shared catalog; an input error gets the client's message plus where
 * this node takes the option at fault. The client's own English `err.message` stays with the
 * library caller.
 */
import type { NodeAPI } from 'node-red';
import { CONNECTION_CODES, isZohoError, ZohoError, ZohoErrorShape } from '../../zoho/core/errors';
import { redactText, redactValue } from '../../zoho/core/redact';
import { NodeSet, Translate, sharedTranslator, translator } from './i18n';

/** The one error shape: the client's, as it goes on msg.error (worded for the user). */
export type ErrorShape = ZohoErrorShape;

/** How one node words errors. */
export interface ErrorTexts {
  /** The shared catalog (`zoho-config.runtime.*`). */
  shared: Translate;
  /** Where this node takes an option ("the node's Module field or msg.module"); else undefined. */
  whereSet(param: string): string | undefined;
}

/** Codes that mean the connection, not the message, needs the user (the client's list). */
export const AUTH_CODES: ReadonlySet<string> = CONNECTION_CODES;

/**
 * Codes whose user text is in the shared catalog (`errors.code.<CODE>`), with the advice that
 * names the editor ("open the zoho-config node and click Connect").
 */
export const CODES_WITH_TEXT: ReadonlySet<string> = new Set([
  ...AUTH_CODES,
  'OAUTH_SCOPE_MISMATCH',
  'ENVIRONMENT_UNSUPPORTED',
  'NO_CONNECTION',
  'TOO_MANY_REQUESTS',
  'CREDIT_BUDGET_REACHED',
  'FORBIDDEN_HOST',
  'NETWORK_ERROR',
  'TIMEOUT',
  'RESPONSE_TOO_LARGE',
  'RESULT_TOO_LARGE',
  'OUTBOX_FULL',
  'OUTBOX_UNAVAILABLE',
]);

/**
 * The texts of a node set; `params` are the options the node takes, each with its
 * `<set>.param.<name>` text saying where the user sets it.
 */
export function errorTexts(RED: NodeAPI, set: NodeSet, params: readonly string[] = []): ErrorTexts {
  const t = translator(RED, set);
  const own = new Set(params);
  return {
    shared: sharedTranslator(RED),
    whereSet: (param) => (own.has(param) ? t(`param.${param}`) : undefined),
  };
}

/** The scope a scope error says the call needs (ZohoConnection adds it), if any. */
export function requiredScopeOf(error: { kind?: string; details?: unknown }): string | undefined {
  if (error.kind !== 'scope' || !error.details || typeof error.details !== 'object')
    return undefined;
  const scope = (error.details as { requiredScope?: unknown }).requiredScope;
  return typeof scope === 'string' ? scope : undefined;
}

/** A missing scope, worded with the zoho-config node's Scopes list the user edits. */
function scopeMessage(err: ZohoError, scope: string, texts: ErrorTexts): string {
  const list = (err.details as { scopes?: unknown }).scopes;
  const scopes = Array.isArray(list) ? list.map(String) : [];
  const key = scopes.includes(scope) ? 'errors.scopeNotGranted' : 'errors.missingScope';
  return texts.shared(key, { scope, scopes: scopes.join(', '), code: err.code });
}

/** The user's message for a client error: the pack's advice by code, else the client's own. */
function userMessage(err: ZohoError, texts: ErrorTexts): string {
  const scope = requiredScopeOf(err);
  if (scope) return scopeMessage(err, scope, texts);
  if (CODES_WITH_TEXT.has(err.code)) {
    // The counts of a size error (limit, records, pages) let its text say what was reached.
    const details = err.details && typeof err.details === 'object' ? err.details : {};
    return texts.shared(`errors.code.${err.code}`, { ...details, message: err.message });
  }
  const where = err.kind === 'input' && err.param ? texts.whereSet(err.param) : undefined;
  return where ? texts.shared('errors.inputHint', { message: err.message, where }) : err.message;
}

/** Any thrown value as the shared shape, secrets removed; `texts` word it for a node's user. */
export function errorShape(
  err: unknown,
  secrets: readonly string[],
  texts: ErrorTexts,
): ErrorShape {
  if (isZohoError(err)) {
    const shape: ErrorShape = {
      message: redactText(userMessage(err, texts), secrets),
      code: err.code,
      kind: err.kind,
    };
    if (err.param !== undefined) shape.param = err.param;
    if (err.status !== undefined) shape.status = err.status;
    if (err.details !== undefined) shape.details = redactValue(err.details, secrets);
    return shape;
  }
  if (err instanceof FlowError) return err.shape;
  const message = (err instanceof Error ? err.message : String(err)) || undefined;
  const fallback = texts.shared('errors.unknown');
  return { message: redactText(message ?? fallback, secrets), code: 'ERROR' };
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
  shared: Translate,
): ErrorShape {
  const first = failed[0];
  const succeeded = total - failed.length;
  return {
    message: shared('errors.partialFailure', {
      failed: failed.length,
      count: total,
      index: first.index,
      reason: `${first.code}${first.message ? ` ${first.message}` : ''}`,
    }),
    code: first.code,
    status: succeeded > 0 ? 207 : 400,
    details: { failed, succeeded, total },
  };
}
