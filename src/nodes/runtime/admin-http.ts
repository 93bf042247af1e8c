/**
 * Plumbing of the zoho-config admin endpoints: route errors and their JSON answers, a handler
 * wrapper that never lets a rejection reach Express, input readers, and the page the consent
 * popup lands on.
 */
import * as crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { isZohoError } from '../../zoho/core/errors';

export class RouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function nodeIdOf(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!NODE_ID.test(id)) throw new RouteError(400, 'INVALID_INPUT', 'Not a node id');
  return id;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** The host of a URL, '' for none, '?' for something that is not a URL. */
export function hostOf(value: string): string {
  if (!value) return '';
  try {
    return new URL(value).host;
  } catch {
    return '?';
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function errorBody(err: unknown): { error: { message: string; code: string } } {
  if (err instanceof RouteError) return { error: { message: err.message, code: err.code } };
  if (isZohoError(err)) return { error: { message: err.message, code: err.code } };
  return { error: { message: 'Unexpected error', code: 'INTERNAL_ERROR' } };
}

export function statusOf(err: unknown): number {
  if (err instanceof RouteError) return err.status;
  if (isZohoError(err)) {
    return err.code === 'NETWORK_ERROR' || err.code === 'TIMEOUT' ? 502 : 400;
  }
  return 500;
}

/** Never lets a rejected promise escape into Express. */
export function handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res) => {
    fn(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.status(statusOf(err)).json(errorBody(err));
    });
  };
}

/** The small page the consent popup lands on. Holds no token and nothing from the query. */
export function resultPage(
  res: Response,
  status: number,
  ok: boolean,
  title: string,
  detail: string,
): void {
  const nonce = crypto.randomBytes(16).toString('base64');
  const message = JSON.stringify({ type: 'zoho-config-auth', ok });
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:30rem;margin:3rem auto;color:#333}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>
<script nonce="${nonce}">
try { if (window.opener) { window.opener.postMessage(${message}, window.location.origin); } } catch (e) {}
${ok ? 'setTimeout(function () { window.close(); }, 1500);' : ''}
</script></body></html>`;
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'`,
    })
    .send(html);
}
