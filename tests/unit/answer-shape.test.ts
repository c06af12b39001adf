/** A department's answer is cut to what it was asked (transport/answer-shape): aliases, fragments, lists, nesting. */
import { cutToShape, shapeOf } from "../../gateway/src/transport/answer-shape";

describe("cutToShape", () => {
  it("keeps asked keys by alias, through inline fragments and spreads, and drops the rest at every depth", () => {
    const shape = shapeOf(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { a: housingStatus ...F } } } fragment F on Citizen { unit { id } }`)!;
    const data = { _entities: [{ __typename: "Citizen", a: "x", idNumber: "ATTACKER", unit: { id: "U1", address: "leak" } }, null, { __typename: "Citizen", a: null, unit: null, name: "篡改" }], extraRoot: 1 };
    expect(cutToShape(data, shape)).toBe(4);
    expect(data).toEqual({ _entities: [{ __typename: "Citizen", a: "x", unit: { id: "U1" } }, null, { __typename: "Citizen", a: null, unit: null }] });
  });

  it("a field asked once as a leaf and once with a selection keeps the selection", () => {
    const shape = shapeOf(`{ c { id } c2: c { id name } }`)!;
    const data = { c: { id: 1, name: "n" }, c2: { id: 1, name: "n", x: 2 } };
    cutToShape(data, shape);
    expect(data).toEqual({ c: { id: 1 }, c2: { id: 1, name: "n" } });
  });

  it("an unparseable query has no shape (the answer is refused)", () => {
    expect(shapeOf("{ broken")).toBeNull();
  });
});
