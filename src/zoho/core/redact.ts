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

/** Stands for an object met again inside itself (or twice), so a copy is finite and serialisable. */
export const CIRCULAR = '[Circular]';

type Slot = { from: unknown; into: Record<string, unknown> | unknown[]; key: string | number };

/** One value's copy: leaves finished, containers empty with their children queued. */
function copyOne(from: unknown, secrets: readonly string[], seen: WeakSet<object>, todo: Slot[]) {
  if (typeof from === 'string') return redactText(from, secrets);
  if (from === null || typeof from !== 'object') return from;
  if (Buffer.isBuffer(from)) return `<Buffer ${from.length} bytes>`;
  if (seen.has(from)) return CIRCULAR;
  seen.add(from);
  if (Array.isArray(from)) {
    const out: unknown[] = new Array<unknown>(from.length);
    from.forEach((item, index) => todo.push({ from: item, into: out, key: index }));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(from as Record<string, unknown>)) {
    // Assigned now, filled later: the copy keeps the keys in their order.
    out[key] = SECRET_KEYS.test(key) && item ? REDACTED : undefined;
    if (out[key] === undefined) todo.push({ from: item, into: out, key });
  }
  return out;
}

/**
 * A deep copy with secret-named keys masked and secret values removed from strings, at any
 * depth: walked with a queue, not recursion (no stack to exhaust), and an object met twice is
 * replaced by CIRCULAR (no cycle to loop on).
 */
export function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  const seen = new WeakSet<object>();
  const root: Record<string, unknown> = {};
  const todo: Slot[] = [{ from: value, into: root, key: 'value' }];
  for (let slot = todo.pop(); slot; slot = todo.pop()) {
    (slot.into as Record<string | number, unknown>)[slot.key] = copyOne(
      slot.from,
      secrets,
      seen,
      todo,
    );
  }
  return root.value;
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
  /** False when debug lines go nowhere: the caller then skips building them (per request). */
  debugEnabled?: boolean;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  warn: () => undefined,
  debugEnabled: false,
};
