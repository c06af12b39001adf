/**
 * Cursor connections (Relay style) with keyset pagination: the cursor holds the sort key of the last row,
 * so a page costs the same at row 10 and at row 1,000,000. Cursors are opaque (./contract/cursor.ts).
 */
import { apiError } from "./contract/errors";
import { InvalidCursorError, type CursorCodec } from "./contract/cursor";

export const MAX_PAGE_SIZE = 1000;

/** JSON with object keys sorted, so equal arguments give equal text. */
function canonical(v: unknown): string {
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (v === null || typeof v !== "object") return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
}

/**
 * What a cursor is bound to: the list, everything that selects its rows (filters, status) and the caller.
 * A cursor from one filter or one caller is refused by another, so cursors cannot be compared across
 * filtered lists to learn who is in which.
 */
export function cursorScope(list: string, selection: unknown, caller?: { sub: string; role: string; purpose?: string | null } | null): string {
  return `${list}|${canonical(selection)}|${caller ? `${caller.role}:${caller.sub}:${caller.purpose ?? ""}` : "-"}`;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number> | number;
}

/** The key of `after`, or undefined without one; INVALID_CURSOR when it was not made for this list. */
export function decodeCursor(codec: CursorCodec, list: string, cursor: string | null | undefined, valid?: (key: string) => boolean): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const key = codec.decode(list, cursor);
    if (valid && !valid(key)) throw new InvalidCursorError(list);
    return key;
  } catch {
    // The message names nothing of the cursor's binding (the list's filter, the caller).
    throw apiError("INVALID_CURSOR", "Invalid cursor: pass the endCursor of a previous page of the same list, asked with the same arguments.");
  }
}

export function checkPageSize(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw apiError("INVALID_PAGE_SIZE", `first must be between 0 and ${MAX_PAGE_SIZE}.`);
  }
  return n;
}

/**
 * An edge whose cursor is sealed only when it is read (a cursor costs an encryption: a page of 100 elders
 * whose request selects only `pageInfo.endCursor` seals one, not 100), then kept.
 */
function lazyEdge<N>(codec: CursorCodec, list: string, key: string, node: N): Edge<N> {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      return (cursor ??= codec.encode(list, key));
    },
  };
}

/**
 * Builds a connection from rows fetched with `take: first + 1` ordered by `keyOf`.
 * `count` is only run when the client selects totalCount.
 */
export function toConnection<R, N>(codec: CursorCodec, list: string, rows: R[], first: number, keyOf: (r: R) => string, toNode: (r: R) => N, count: () => Promise<number>): Connection<N> {
  const page = rows.slice(0, first);
  const edges = page.map((r) => lazyEdge(codec, list, keyOf(r), toNode(r)));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    totalCount: count,
  };
}
