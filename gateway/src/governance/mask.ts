/** Masks a value for callers whose policy says `mask`: ID number 110105********1234, phone 138****5678, name 张*. */
import { maskOf, type Policy } from "./policy";

export function maskString(value: string, keepStart: number, keepEnd: number): string {
  const chars = [...value]; // code points: Chinese characters count as one
  if (chars.length <= keepStart + keepEnd) return "*".repeat(Math.max(chars.length, 1));
  const hidden = chars.length - keepStart - keepEnd;
  return chars.slice(0, keepStart).join("") + "*".repeat(hidden) + (keepEnd ? chars.slice(-keepEnd).join("") : "");
}

/** The masked form of a value: strings (and lists of strings) by the mask kind; anything else withheld. */
export function maskValue(policy: Policy, kind: string | undefined, value: unknown): unknown {
  const m = maskOf(policy, kind);
  if (value === null || value === undefined) return value;
  if (!m) return null;
  if (typeof value === "string") return maskString(value, m.keepStart, m.keepEnd);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.map((v) => maskString(v as string, m.keepStart, m.keepEnd));
  return null;
}
