/** Masks a value for callers whose policy says `mask`: ID number 110105********1234, phone 138****5678, name 张*. */
import { maskOf, type Policy } from "./policy";

/** `stars`: that many stars whatever the hidden length (the length of an address or a note tells something too). */
export function maskString(value: string, keepStart: number, keepEnd: number, stars?: number): string {
  const chars = [...value]; // code points: Chinese characters count as one
  if (chars.length <= keepStart + keepEnd) return "*".repeat(stars ?? Math.max(chars.length, 1));
  const hidden = chars.length - keepStart - keepEnd;
  return chars.slice(0, keepStart).join("") + "*".repeat(stars ?? hidden) + (keepEnd ? chars.slice(-keepEnd).join("") : "");
}

/** The masked form of a value: strings (and lists of strings) by the mask kind; anything else withheld. */
export function maskValue(policy: Policy, kind: string | undefined, value: unknown): unknown {
  const m = maskOf(policy, kind);
  if (value === null || value === undefined) return value;
  if (!m) return null;
  if (typeof value === "string") return maskString(value, m.keepStart, m.keepEnd, m.stars);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.map((v) => maskString(v as string, m.keepStart, m.keepEnd, m.stars));
  return null;
}
