/**
 * The small page the consent popup lands on after Zoho's redirect. It holds no token and
 * nothing from the query; it tells the editor's window (same origin only) how it went and
 * closes itself on success.
 */
import * as crypto from 'node:crypto';
import type { AdminResponse } from '../runtime/admin-http';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function consentPage(
  res: AdminResponse,
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
