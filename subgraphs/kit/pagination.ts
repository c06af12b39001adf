/**
 * Cursor connections (Relay style) with keyset pagination: the cursor holds the sort key of the last row,
 * so a page costs the same at row 10 and at row 1,000,000.
 */
import { apiError } from "../../gateway/src/errors";

export const MAX_PAGE_SIZE = 1000;

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number> | number;
}

/** A cursor is bound to a list name so one list's cursor cannot be replayed on another. */
export function encodeCursor(list: string, key: string): string {
  return Buffer.from(JSON.stringify([list, key]), "utf8").toString("base64url");
}

export function decodeCursor(list: string, cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && v[0] === list && typeof v[1] === "string") return v[1];
  } catch {
    /* fall through */
  }
  throw apiError("INVALID_CURSOR", `Invalid cursor for ${list}.`);
}

export function checkPageSize(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw apiError("INVALID_PAGE_SIZE", `first must be between 0 and ${MAX_PAGE_SIZE}.`);
  }
  return n;
}

/**
 * Builds a connection from rows fetched with `take: first + 1` ordered by `keyOf`.
 * `count` is only run when the client selects totalCount.
 */
export function toConnection<R, N>(list: string, rows: R[], first: number, keyOf: (r: R) => string, toNode: (r: R) => N, count: () => Promise<number>): Connection<N> {
  const page = rows.slice(0, first);
  const edges = page.map((r) => ({ cursor: encodeCursor(list, keyOf(r)), node: toNode(r) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    totalCount: count,
  };
}
