/** Calendar helpers. Dates are handled as UTC day numbers (days since 1970-01-01) until they become rows. */

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

export const dayOf = (d: Date): number => Math.floor(d.getTime() / DAY_MS);

/** A @db.Date value: UTC midnight of the day. */
export const dateOf = (day: number): Date => new Date(day * DAY_MS);

/** A timestamp on `day` at `minutes` past UTC midnight. */
export const timeOf = (day: number, minutes: number): Date => new Date(day * DAY_MS + minutes * MINUTE_MS);

/** Beijing local time (UTC+8) hh:mm on `day`, as minutes after UTC midnight (may be negative before 08:00). */
export const beijing = (hour: number, minute: number): number => (hour - 8) * 60 + minute;

export const dayFromYmd = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / DAY_MS;

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

export function ymdOf(day: number): Ymd {
  const t = new Date(day * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** YYYYMMDD as used in ID numbers. */
export function compactDate(day: number): string {
  const { y, m, d } = ymdOf(day);
  return `${y}${m < 10 ? "0" : ""}${m}${d < 10 ? "0" : ""}${d}`;
}

/** Same calendar day `years` later (29 Feb becomes 1 Mar in common years). */
export function addYears(day: number, years: number): number {
  const { y, m, d } = ymdOf(day);
  return dayFromYmd(y + years, m, d);
}

/** Completed years between `birthDay` and `refDay`. */
export function ageAt(birthDay: number, refDay: number): number {
  const b = ymdOf(birthDay);
  const r = ymdOf(refDay);
  let age = r.y - b.y;
  if (r.m < b.m || (r.m === b.m && r.d < b.d)) age--;
  return age;
}
