/** Cursor pagination: opaque cursors bound to their list and to the service that made them. */
import { checkPageSize, decodeCursor, toConnection, MAX_PAGE_SIZE } from "../../subgraphs/kit/pagination";
import { createCursorCodec } from "../../subgraphs/kit/contract/cursor";

const codec = createCursorCodec("unit-test-secret-0123456789");
const invalid = expect.objectContaining({ extensions: expect.objectContaining({ code: "INVALID_CURSOR" }) });

describe("cursor pagination", () => {
  it("round-trips a key through a cursor bound to its list", () => {
    const c = codec.encode("elders", "P00000042");
    expect(decodeCursor(codec, "elders", c)).toBe("P00000042");
  });

  it("reveals nothing: no id, no readable JSON, and two cursors for the same row differ", () => {
    const a = codec.encode("grid:G-0101", "P00000143");
    const b = codec.encode("grid:G-0101", "P00000143");
    expect(a).not.toBe(b);
    for (const c of [a, b]) {
      expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const decoding of ["base64url", "base64", "hex", "latin1", "utf8"] as const) {
        const text = Buffer.from(c, decoding === "utf8" ? "base64url" : "base64url").toString(decoding);
        expect(text).not.toMatch(/P0000|G-0101|grid/);
      }
    }
  });

  it("refuses a cursor of another list with INVALID_CURSOR", () => {
    const c = codec.encode("elders", "P00000042");
    expect(() => decodeCursor(codec, "buildings", c)).toThrow(invalid);
  });

  it("refuses a cursor made by another deployment (another secret)", () => {
    const other = createCursorCodec("another-secret-0123456789abcdef");
    expect(() => decodeCursor(codec, "elders", other.encode("elders", "P00000042"))).toThrow(invalid);
  });

  it.each([
    ["garbage", "not-a-cursor"],
    ["readable JSON of the old format", Buffer.from(JSON.stringify(["elders", "P00000042"])).toString("base64url")],
    ["a NUL key in the old format", Buffer.from(JSON.stringify(["elders", "\u0000"])).toString("base64url")],
    ["an empty string", ""],
    ["non-base64url characters", "a+b/c=="],
    ["an over-long cursor", "A".repeat(600)],
  ])("refuses %s with INVALID_CURSOR", (_label, cursor) => {
    expect(() => decodeCursor(codec, "elders", cursor)).toThrow(invalid);
  });

  it("refuses a cursor with any byte flipped (authenticated, not just encoded)", () => {
    const c = codec.encode("elders", "P00000042");
    const raw = Buffer.from(c, "base64url");
    for (let i = 0; i < raw.length; i++) {
      const flipped = Buffer.from(raw);
      flipped[i] ^= 0x01;
      expect(() => decodeCursor(codec, "elders", flipped.toString("base64url"))).toThrow(invalid);
    }
  });

  it("checks the key a list expects", () => {
    const c = codec.encode("accessLog", "not-a-number");
    expect(() => decodeCursor(codec, "accessLog", c, (k) => /^\d+$/.test(k))).toThrow(invalid);
  });

  it("treats a missing cursor as the first page", () => {
    expect(decodeCursor(codec, "elders", undefined)).toBeUndefined();
    expect(decodeCursor(codec, "elders", null)).toBeUndefined();
  });

  it.each([-1, MAX_PAGE_SIZE + 1, 1.5])("rejects first=%p with INVALID_PAGE_SIZE", (n) => {
    expect(() => checkPageSize(n)).toThrow(expect.objectContaining({ extensions: { code: "INVALID_PAGE_SIZE" } }));
  });

  it("builds a page with hasNextPage from one extra row", () => {
    const rows = ["a", "b", "c"];
    const conn = toConnection(codec, "l", rows, 2, (r) => r, (r) => r.toUpperCase(), async () => 3);
    expect(conn.edges.map((e) => e.node)).toEqual(["A", "B"]);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(codec, "l", conn.pageInfo.endCursor)).toBe("b");
    const last = toConnection(codec, "l", ["c"], 2, (r) => r, (r) => r, async () => 3);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  it("seals an edge's cursor only when it is read, once: endCursor is the last edge's cursor", () => {
    const encode = jest.fn(codec.encode);
    const counting = { ...codec, encode };
    const conn = toConnection(counting, "l", ["a", "b", "c", "d"], 3, (r) => r, (r) => r, async () => 4);
    expect(encode).toHaveBeenCalledTimes(1); // endCursor only
    expect(conn.edges[2].cursor).toBe(conn.pageInfo.endCursor);
    expect(encode).toHaveBeenCalledTimes(1);
    const [first, second] = [conn.edges[0].cursor, conn.edges[1].cursor];
    expect(conn.edges[0].cursor).toBe(first); // kept, not sealed again (a new seal would differ)
    expect(encode).toHaveBeenCalledTimes(3);
    expect([first, second].map((c) => decodeCursor(codec, "l", c))).toEqual(["a", "b"]);
    // Serialised like any edge (the default resolver and JSON read the getter).
    expect(JSON.parse(JSON.stringify(conn.edges[1]))).toEqual({ node: "b", cursor: second });
  });
});
