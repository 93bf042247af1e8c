/**
 * An organization's clock: Zoho Books answers dates and times in the organization's time zone,
 * to the second, e.g. `2026-06-09T16:22:34-0400` (the recorded answers, docs/ZOHO-FACTS.md), and
 * its daily quota resets at the organization's midnight.
 */

/** The wall-clock fields of `now` in `timeZone`. */
function localParts(now: number, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const out: Record<string, number> = {};
  for (const p of parts) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The organization's date of `now`, and seconds until its next midnight. */
export function orgDay(now: number, timeZone: string): { date: string; secondsLeft: number } {
  const p = localParts(now, timeZone);
  return {
    date: `${p.year}-${two(p.month)}-${two(p.day)}`,
    secondsLeft: 86_400 - (p.hour * 3600 + p.minute * 60 + p.second),
  };
}

/** `now` as Zoho Books writes it for an organization: `2026-06-09T16:22:34-0400`. */
export function orgTimestamp(now: number, timeZone: string): string {
  const p = localParts(now, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offset = Math.round((wall - Math.floor(now / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const date = `${p.year}-${two(p.month)}-${two(p.day)}`;
  return `${date}T${two(p.hour)}:${two(p.minute)}:${two(p.second)}${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

/** An instant of a Books timestamp or date (`-0400` as well as `-04:00`); NaN when not one. */
export function parseBooksTime(value: string): number {
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z))?$/.test(iso)
    ? Date.parse(iso)
    : NaN;
}
