/** Cross-department findings find exactly the inconsistencies the generator planted, with evidence. */
import { startSystem, type System } from "../helpers/system";
import { operation } from "../helpers/operations";
import { plantedFindings, DEFAULT_SYNTHETIC } from "../../subgraphs/synthetic";

const CITIZENS = 3000;
let sys: System;
beforeAll(async () => {
  sys = await startSystem({ citizens: CITIZENS });
}, 180_000);
afterAll(() => sys?.stop());

async function allFindings(kind?: string) {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await sys.gql(operation("CrossDepartmentFindings"), { kind, first: 25, after });
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data.findings;
    out.push(...conn.edges.map((e: any) => e.node));
    if (!conn.pageInfo.hasNextPage) return { nodes: out, total: conn.totalCount };
    after = conn.pageInfo.endCursor;
  }
}

describe("cross-department findings", () => {
  const planted = plantedFindings({ ...DEFAULT_SYNTHETIC, citizens: CITIZENS });

  it("finds exactly the planted cases of each kind", async () => {
    const { nodes, total } = await allFindings();
    const ids = (kind: string) => nodes.filter((n) => n.kind === kind).map((n) => n.citizen.id).sort();
    expect(ids("DECEASED_WITH_ACTIVE_BENEFITS")).toEqual(planted.deceasedWithActiveBenefits);
    expect(ids("LIVING_ALONE_WITH_OTHER_RESIDENTS")).toEqual(planted.aloneButSharedFlat);
    expect(ids("ALARM_WITHOUT_VISIT")).toEqual(planted.alarmWithoutVisit);
    expect(total).toBe(planted.deceasedWithActiveBenefits.length + planted.aloneButSharedFlat.length + planted.alarmWithoutVisit.length);
    expect(planted.deceasedWithActiveBenefits.length).toBeGreaterThan(0);
    expect(planted.aloneButSharedFlat.length).toBeGreaterThan(0);
    expect(planted.alarmWithoutVisit.length).toBeGreaterThan(0);
  });

  it("carries the evidence of each department, and the departments' own records agree", async () => {
    const { nodes } = await allFindings("DECEASED_WITH_ACTIVE_BENEFITS");
    for (const n of nodes) {
      expect(n.citizen.registrationStatus).toBe("DECEASED");
      expect(n.citizen.subsidies.length + n.citizen.serviceOrders.length).toBeGreaterThan(0);
      expect(n.evidence.map((e: any) => e.department)).toContain("public-security");
      expect(n.summary).toMatch(/死亡/);
    }
    const alone = (await allFindings("LIVING_ALONE_WITH_OTHER_RESIDENTS")).nodes;
    for (const n of alone) {
      expect(n.citizen.elderProfile.livingArrangement).toBe("ALONE");
      const residents = n.citizen.residences.flatMap((r: any) => r.unit.currentResidents.map((x: any) => x.citizen.id));
      expect(residents.filter((id: string) => id !== n.citizen.id).length).toBeGreaterThan(0);
      expect(n.evidence.map((e: any) => e.department).sort()).toEqual(["elderly-care", "property-management"]);
    }
  });

  it("filters by kind", async () => {
    const { nodes } = await allFindings("ALARM_WITHOUT_VISIT");
    expect(new Set(nodes.map((n) => n.kind))).toEqual(new Set(["ALARM_WITHOUT_VISIT"]));
  });
});
