/**
 * Text the system accepts: well-formed Unicode without NUL characters. PostgreSQL cannot store NUL in text,
 * and a lone UTF-16 surrogate has no UTF-8 encoding, so either would fail deep inside a department; both are
 * refused at the edge instead (BAD_USER_INPUT), wherever they appear in a request's variables or literals.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isCleanText(s: string): boolean {
  return !s.includes("\u0000") && !LONE_SURROGATE.test(s);
}

/** The path (e.g. `filter.gridId`, `ids[3]`) of the first string in `value` that is not clean text, or undefined. */
export function firstUncleanText(value: unknown, path = "", depth = 0): string | undefined {
  if (typeof value === "string") return isCleanText(value) ? undefined : path || "(value)";
  if (depth > 64 || value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstUncleanText(value[i], `${path}[${i}]`, depth + 1);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!isCleanText(k)) return path ? `${path}.(key)` : "(key)";
    const bad = firstUncleanText(v, path ? `${path}.${k}` : k, depth + 1);
    if (bad !== undefined) return bad;
  }
  return undefined;
}
