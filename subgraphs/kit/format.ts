/** Formatting shared by the department resolvers: dates, money, ages. */

/** YYYY-MM-DD of a @db.Date value. */
export const isoDate = (d: Date | null | undefined): string | null => (d ? d.toISOString().slice(0, 10) : null);

/** ISO 8601 timestamp. */
export const isoTime = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** Cents to a yuan string with two decimals ("-12.50"). */
export function yuan(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Whole years between a birth date and `today`. */
export function ageOn(birth: Date, today: Date = new Date()): number {
  let age = today.getUTCFullYear() - birth.getUTCFullYear();
  const m = today.getUTCMonth() - birth.getUTCMonth();
  if (m < 0 || (m === 0 && today.getUTCDate() < birth.getUTCDate())) age--;
  return age;
}

/** Groups rows by a key, keeping the order of `keys` (for DataLoader batch functions). */
export function groupBy<R>(keys: readonly string[], rows: R[], keyOf: (r: R) => string): R[][] {
  const m = new Map<string, R[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const a = m.get(k);
    if (a) a.push(r);
    else m.set(k, [r]);
  }
  return keys.map((k) => m.get(k) ?? []);
}

/** Picks one row per key (or null), keeping the order of `keys`. */
export function indexBy<R>(keys: readonly string[], rows: R[], keyOf: (r: R) => string): (R | null)[] {
  const m = new Map<string, R>();
  for (const r of rows) m.set(keyOf(r), r);
  return keys.map((k) => m.get(k) ?? null);
}
