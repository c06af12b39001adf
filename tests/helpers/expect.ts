/** Shared assertions. */

/** Nothing internal in a client-facing body: no stack trace, SQL, file paths, framework error codes. */
export function expectClean(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|exception|\bat \S+ \(|node_modules|FST_ERR|\.ts:\d+|prisma|SELECT |_entities/i);
}
