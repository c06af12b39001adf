/**
 * No N+1: the priority-elder query costs each subgraph the same number of SQL statements for 10 elders
 * as for 1,000, because every entity reference and per-parent list goes through a per-request DataLoader.
 */
import { startSystem, type System } from "../helpers/system";
import type { Department } from "../../subgraphs/departments";

const QUERY = `query Elders($first: Int!) {
  priorityElders(first: $first) {
    totalCount
    edges { node {
      careLevel livingArrangement categories
      grid { id name worker { name } }
      emergencyContacts { name relation phone }
      lastVisit { visitedAt }
      unansweredAlarmCalls { kind raisedAt }
      citizen {
        id name age phone
        subsidies(status: ACTIVE) { type monthlyAmount }
        disabilityCertificate { grade }
        residences(currentOnly: true) { unit { number building { name address company { name } } } }
        repairRequests(openOnly: true) { category status }
        household { address members { relationToHead } }
      }
    } }
  }
}`;

let sys: System;
beforeAll(async () => {
  // A 1,000-elder page is a large query for a shared CI machine: this test counts statements, not time, so
  // the departments get more than the interactive 5 s deadline.
  sys = await startSystem({ citizens: 10_000, gateway: { subgraphTimeoutMs: 60_000 } });
}, 300_000);
afterAll(() => sys?.stop());

async function statementsFor(first: number): Promise<Record<Department, number>> {
  for (const s of Object.values(sys.subgraphs)) s.db.stats.statements = 0;
  const res = await sys.gql(QUERY, { first });
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.priorityElders.edges).toHaveLength(first);
  return Object.fromEntries(Object.entries(sys.subgraphs).map(([k, s]) => [k, s.db.stats.statements])) as Record<Department, number>;
}

it("runs the same number of SQL statements per subgraph for 10 and for 1,000 elders", async () => {
  const small = await statementsFor(10);
  const large = await statementsFor(1000);
  expect(large).toEqual(small);
  for (const n of Object.values(small)) expect(n).toBeGreaterThan(0);
});
