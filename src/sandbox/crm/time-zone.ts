/**
 * The emulated org's time zone. Zoho's `GET /org` answers `time_zone` as a string (OAS
 * `org.json`, no example); that it is an IANA name is **unverified** (docs/ZOHO-FACTS.md). The
 * emulator keeps one fixed offset for every timestamp, so it names a zone that has that offset
 * all year round (no daylight saving).
 */

/**
 * Zones with a fixed offset that is not a whole hour, from the IANA tz database (`asia`,
 * `australasia`, `northamerica` files): none of them observes daylight saving today.
 */
const FRACTIONAL_ZONES: Readonly<Record<number, string>> = {
  [-570]: 'Pacific/Marquesas',
  [270]: 'Asia/Kabul',
  [330]: 'Asia/Kolkata',
  [345]: 'Asia/Kathmandu',
  [390]: 'Asia/Yangon',
  [525]: 'Australia/Eucla',
  [570]: 'Australia/Darwin',
};

/** The largest offsets of the tz database's `Etc/GMT±h` zones (−12 h to +14 h). */
const MIN_OFFSET = -12 * 60;
const MAX_OFFSET = 14 * 60;

/**
 * An IANA name for a fixed offset in minutes east of UTC: `Etc/UTC`, `Etc/GMT-5` for +05:00
 * (the `etcetera` file's POSIX sign is inverted), or a named zone for a half or quarter hour.
 * Throws for an offset no zone has.
 */
export function zoneForOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Etc/UTC';
  const named = FRACTIONAL_ZONES[offsetMinutes];
  if (named) return named;
  const wholeHours = offsetMinutes % 60 === 0;
  if (wholeHours && offsetMinutes >= MIN_OFFSET && offsetMinutes <= MAX_OFFSET) {
    const hours = offsetMinutes / 60;
    return `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
  }
  throw new Error(`no time zone has the fixed offset ${formatOffset(offsetMinutes)}`);
}

/** `+05:30`, `-08:00`, `UTC` or `Z` as minutes east of UTC (undefined when not an offset). */
export function parseOffset(text: string): number | undefined {
  if (/^(utc|z)$/i.test(text.trim())) return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!match || Number(match[3]) >= 60) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function formatOffset(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  return `${offsetMinutes < 0 ? '-' : '+'}${hh}:${String(abs % 60).padStart(2, '0')}`;
}
