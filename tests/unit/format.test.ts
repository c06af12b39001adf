import { ageOn, groupBy, indexBy, isoDate, yuan } from "../../subgraphs/kit/format";

describe("formatting", () => {
  it("formats cents as yuan with two decimals, negative when owing", () => {
    expect(yuan(139500)).toBe("1395.00");
    expect(yuan(5)).toBe("0.05");
    expect(yuan(-1250)).toBe("-12.50");
  });

  it("computes whole years of age around the birthday", () => {
    const birth = new Date("1946-03-15T00:00:00Z");
    expect(ageOn(birth, new Date("2026-03-14T00:00:00Z"))).toBe(79);
    expect(ageOn(birth, new Date("2026-03-15T00:00:00Z"))).toBe(80);
  });

  it("prints @db.Date values as YYYY-MM-DD and null as null", () => {
    expect(isoDate(new Date("2026-11-01T00:00:00Z"))).toBe("2026-11-01");
    expect(isoDate(null)).toBeNull();
  });

  it("groups and indexes rows in the order of the keys, with empty/null for missing keys", () => {
    const rows = [{ k: "b", v: 1 }, { k: "a", v: 2 }, { k: "b", v: 3 }];
    expect(groupBy(["a", "b", "c"], rows, (r) => r.k).map((g) => g.map((r) => r.v))).toEqual([[2], [1, 3], []]);
    expect(indexBy(["c", "a"], rows, (r) => r.k)).toEqual([null, { k: "a", v: 2 }]);
  });
});
