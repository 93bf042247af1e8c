/**
 * Redaction for everything that may reach a log or a debug sidebar. Tokens are long random
 * strings; a leaked one is a leaked account, so both known secrets and token-shaped values go.
 */
const SECRET_KEYS =
  /^(authorization|access_token|refresh_token|client_secret|token|accessToken|refreshToken|clientSecret|password)$/i;
/** In OAuth URLs `code` is a grant code; in Zoho's bodies it is an error code and must stay. */
const SECRET_QUERY_KEYS = /^(code|access_token|refresh_token|client_secret|token)$/i;
const ZOHO_TOKEN = /\b1000\.[0-9a-f]{16,}\.[0-9a-f]{16,}\b/gi;
const AUTH_HEADER = /(Zoho-oauthtoken|Bearer)\s+[^\s"',]+/gi;

export const REDACTED = '***';

/** Replaces every known secret and anything token-shaped in a string. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  return out.replace(AUTH_HEADER, `$1 ${REDACTED}`).replace(ZOHO_TOKEN, REDACTED);
}

/** A deep copy with secret-named keys masked and secret values removed from strings. */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEYS.test(key) && item ? REDACTED : redactValue(item, secrets, depth + 1);
  }
  return out;
}

/** Masks secret query parameters in a URL. */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  try {
    const parsed = new URL(url);
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_KEYS.test(key) || SECRET_QUERY_KEYS.test(key)) {
        parsed.searchParams.set(key, REDACTED);
      }
    }
    return redactText(parsed.toString(), secrets);
  } catch {
    return redactText(url, secrets);
  }
}

export interface Logger {
  debug(message: string): void;
  warn(message: string): void;
}

export const silentLogger: Logger = { debug: () => undefined, warn: () => undefined };
