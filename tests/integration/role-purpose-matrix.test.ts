/**
 * Every built-in role × purpose runs every shipped operation (schema/operations/*.graphql) through the
 * gateway: whatever personal data a response carries has its access record — the record exists, names
 * every personal field returned and every citizen the response shows them for — and nothing is returned
 * without one. Refusals are fine; silence about what was returned is not.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { startSystem, type System } from "../helpers/system";
import { apiSchema, governance } from "../helpers/supergraph";
import { personalDataIn } from "../helpers/personal-data";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { DEPARTMENTS } from "../../subgraphs/departments";
import type { MintOptions } from "../../gateway/src/auth/mint";

const ROOT = join(__dirname, "../..");
const schema = apiSchema();
const gov = governance();
const policy = loadPolicy(join(ROOT, "schema/policy.yaml"));

const operations: { name: string; text: string }[] = [];
for (const f of readdirSync(join(ROOT, "schema/operations")).filter((x) => x.endsWith(".graphql"))) {
  const text = readFileSync(join(ROOT, "schema/operations", f), "utf8");
  for (const d of parse(text).definitions) if (d.kind === Kind.OPERATION_DEFINITION && d.name) operations.push({ name: d.name.value, text });
}

let sys: System;
let vars: Record<string, Record<string, unknown>>;
let subject: { citizenId: string; gridId: string; communityId: string; buildingId: string };
beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
  const ps = sys.subgraphs["public-security"].db.prisma as any;
  const ec = sys.subgraphs["elderly-care"].db.prisma as any;
  const elder = await ec.elderProfile.findFirst({ where: { gridId: "G-0101", status: "ACTIVE", isPriority: true }, orderBy: { citizenId: "asc" } });
  const person = await ps.person.findUnique({ where: { citizenId: elder.citizenId } });
  subject = { citizenId: person.citizenId, gridId: person.gridId, communityId: person.communityId, buildingId: person.buildingId };
  vars = {
    PersonFile: { id: person.citizenId },
    GridPriorityElders: { gridId: person.gridId, first: 20 },
    CommunityPriorityElders: { communityId: person.communityId, first: 20 },
    Household: { id: person.householdId },
    Building: { id: person.buildingId, first: 20 },
    CrossDepartmentFindings: { first: 20 },
    PublicSecurityExample: { idNumber: person.idNumber },
    PropertyManagementExample: { gridId: person.gridId },
  };
}, 180_000);
afterAll(() => sys?.stop());

/** The identities to try for a role: one per department for department officers. */
function identities(role: string): MintOptions[] {
  switch (role) {
    case "department-officer":
      return DEPARTMENTS.map((department) => ({ role, department }));
    case "citizen":
      return [{ role, sub: subject.citizenId }];
    case "grid-worker":
      return [{ role, grids: [subject.gridId] }];
    case "community-officer":
    case "elderly-care-worker":
      return [{ role, communities: [subject.communityId] }];
    case "property-staff":
      return [{ role, buildings: [subject.buildingId] }];
    default:
      return [{ role }];
  }
}

const cases = Object.entries(policy.roles).flatMap(([role, r]) => [...Object.keys(r.purposes), null].map((purpose) => [role, purpose] as const));

describe.each(cases)("%s with purpose %s", (role, purpose) => {
  it("records every personal value it is given, for every shipped operation", async () => {
    const problems: string[] = [];
    for (const who of identities(role)) {
      const headers = await sys.as(who, purpose ?? undefined);
      for (const op of operations) {
        const requestId = `matrix-${role}-${purpose}-${who.department ?? ""}-${op.name}-${Math.random().toString(36).slice(2)}`;
        const res = await fetch(sys.gatewayUrl, { method: "POST", headers: { "content-type": "application/json", ...headers, "x-request-id": requestId }, body: JSON.stringify({ query: op.text, variables: vars[op.name] ?? {}, operationName: op.name }) });
        const named = { status: res.status, body: (await res.json()) as { data?: unknown } };
        expect(JSON.stringify(named.body)).not.toContain("_cg_");
        if (named.status >= 500) problems.push(`${op.name}: HTTP ${named.status}`);
        const found = personalDataIn(schema, gov, op.text, op.name, named.body.data);
        const records = (await sys.audit.query({ first: 1000, from: new Date(Date.now() - 60_000) })).records.filter((r) => r.clientRequestId === requestId);
        if (found.fields.size === 0) continue;
        if (records.length === 0) {
          problems.push(`${op.name}: personal data (${[...found.fields].join(", ")}) without an access record`);
          continue;
        }
        const recordedFields = new Set(records.flatMap((r) => r.fields));
        const recordedCitizens = new Set(records.flatMap((r) => r.citizens));
        for (const f of found.fields) if (!recordedFields.has(f)) problems.push(`${op.name}: ${f} returned but not recorded`);
        for (const c of found.citizens) if (!recordedCitizens.has(c)) problems.push(`${op.name}: citizen ${c} shown but not recorded`);
        for (const r of records) expect([r.role, r.purpose]).toEqual([role, purpose ?? policy.roles[role].defaultPurpose ?? null]);
      }
    }
    expect(problems).toEqual([]);
  });
});

it("exercises personal data for most roles (the matrix is not vacuous)", async () => {
  const headers = await sys.as({ role: "grid-worker", grids: [subject.gridId] }, "welfare-check");
  const res = await sys.gql(readFileSync(join(ROOT, "schema/operations/PersonFile.graphql"), "utf8"), vars.PersonFile, headers);
  expect(personalDataIn(schema, gov, readFileSync(join(ROOT, "schema/operations/PersonFile.graphql"), "utf8"), "PersonFile", res.body.data).fields.size).toBeGreaterThan(10);
});
