/**
 * The benchmark's workloads page with cursors, and cursors are bound to the list, its arguments and the
 * caller: each gateway's own cursors are learned with a probe query (tests/bench/workloads.ts). A probe
 * that reads another list, or the same list with other arguments, gives cursors every gateway refuses
 * (INVALID_CURSOR on every request: what the community fallback did before it had its own probe).
 */
import { Kind, parse, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { buildWorkloads, type DataFacts } from "../bench/workloads";

const facts = (gridElders: number): DataFacts => ({
  communities: ["C-01"],
  gridId: "G-0101",
  gridPriorityElders: gridElders,
  gridCursors: Array.from({ length: gridElders }, (_, i) => `g${i}`),
  gridElderIds: Array.from({ length: gridElders }, (_, i) => `P${i}`),
  communityId: "C-01",
  communityPriorityElders: 161,
  communityCursors: Array.from({ length: 161 }, (_, i) => `c${i}`),
  communityElderIds: Array.from({ length: 161 }, (_, i) => `P${i}`),
  households: [{ id: "H1", members: 3 }],
});

/** The root field and the `priorityElders` arguments (printed, `after` aside) of an operation. */
function listOf(query: string): { root: string; args: string[] } {
  const op = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = op.selectionSet.selections[0] as FieldNode;
  const find = (set: SelectionSetNode | undefined): FieldNode | undefined => {
    for (const s of set?.selections ?? []) {
      if (s.kind !== Kind.FIELD) continue;
      if (s.name.value === "priorityElders") return s;
      const inner = find(s.selectionSet);
      if (inner) return inner;
    }
    return undefined;
  };
  const field = find(root.selectionSet)!;
  const args = (field.arguments ?? []).filter((a) => a.name.value !== "after").map((a) => JSON.stringify(a.value, (k, v) => (k === "loc" ? undefined : v)));
  return { root: root.name.value, args };
}

describe.each([
  ["a grid with a full page", 203, "grid"],
  ["a grid too small for a page (the community list instead)", 77, "community"],
])("%s", (_label, gridElders, list) => {
  const workloads = buildWorkloads(facts(gridElders));

  it("pages the expected list", () => {
    expect(listOf(workloads.find((w) => w.name === "priority-elders")!.query).root).toBe(list);
  });

  it("every paging workload has a probe of the same list with the same arguments", () => {
    const paging = workloads.filter((w) => w.pool.some((v) => typeof v.after === "string"));
    expect(paging.length).toBeGreaterThan(0);
    for (const w of paging) {
      expect(w.cursorProbe).toBeDefined();
      const probe = listOf(w.cursorProbe!);
      const op = listOf(w.query);
      expect(probe.root).toBe(op.root);
      expect(probe.args).toEqual(op.args);
      expect(w.cursorList ?? "grid").toBe(op.root);
    }
  });
});
