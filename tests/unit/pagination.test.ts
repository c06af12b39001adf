import { checkPageSize, decodeCursor, encodeCursor, toConnection, MAX_PAGE_SIZE } from "../../subgraphs/kit/pagination";

describe("cursor pagination", () => {
  it("round-trips a key through a cursor bound to its list", () => {
    const c = encodeCursor("elders", "P00000042");
    expect(decodeCursor("elders", c)).toBe("P00000042");
  });

  it("refuses a cursor of another list with INVALID_CURSOR", () => {
    const c = encodeCursor("elders", "P00000042");
    expect(() => decodeCursor("buildings", c)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "INVALID_CURSOR" }) }));
  });

  it("refuses garbage with INVALID_CURSOR", () => {
    expect(() => decodeCursor("elders", "not-a-cursor")).toThrow(expect.objectContaining({ extensions: { code: "INVALID_CURSOR" } }));
  });

  it("treats a missing cursor as the first page", () => {
    expect(decodeCursor("elders", undefined)).toBeUndefined();
    expect(decodeCursor("elders", null)).toBeUndefined();
  });

  it.each([-1, MAX_PAGE_SIZE + 1, 1.5])("rejects first=%p with INVALID_PAGE_SIZE", (n) => {
    expect(() => checkPageSize(n)).toThrow(expect.objectContaining({ extensions: { code: "INVALID_PAGE_SIZE" } }));
  });

  it("builds a page with hasNextPage from one extra row", () => {
    const rows = ["a", "b", "c"];
    const conn = toConnection("l", rows, 2, (r) => r, (r) => r.toUpperCase(), async () => 3);
    expect(conn.edges.map((e) => e.node)).toEqual(["A", "B"]);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor("l", conn.pageInfo.endCursor)).toBe("b");
    const last = toConnection("l", ["c"], 2, (r) => r, (r) => r, async () => 3);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });
});
