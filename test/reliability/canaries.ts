/**
 * Secrets as canaries: a text that holds one (8 characters or more) has leaked it. Shared by
 * the security suites (security, watch).
 */

/** Every place a canary shows up, as "where: canary". */
export function leaks(texts: [string, string][], canaries: string[]): string[] {
  const out: string[] = [];
  for (const [where, text] of texts) {
    for (const c of canaries)
      if (c.length >= 8 && text.includes(c)) out.push(`${where}: ${c.slice(0, 12)}…`);
  }
  return out;
}
