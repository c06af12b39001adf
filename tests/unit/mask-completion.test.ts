/**
 * A mask may never hide only what another field the same caller may see reveals. For every built-in role ×
 * purpose and every field that role would see masked, no field that completes that mask (schema/policy.yaml
 * `completions`) is shown in full; and the ID-number rule itself: the mask hides exactly the birth date.
 */
import { join } from "node:path";
import { createDecider } from "../../gateway/src/governance/authorize";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { maskValue } from "../../gateway/src/governance/mask";
import { governance } from "../helpers/supergraph";

const policy = loadPolicy(join(__dirname, "../../schema/policy.yaml"));
const gov = governance();
const masked = [...gov.rules].filter(([, r]) => r.sensitivity?.mask).map(([c]) => c);
const cases = Object.entries(policy.roles).flatMap(([role, r]) => Object.keys(r.purposes).map((purpose) => [role, purpose, r.scopes] as const));
const callerOf = (role: string, scopes: string[]) => ({ sub: "t", name: "t", org: "o", role, scopes: role === "department-officer" ? ["read:identity", "read:civil", "read:care", "read:property", "read:findings"] : scopes, area: { grids: [], communities: [], buildings: [] } });

describe.each(cases)("%s for %s", (role, purpose, scopes) => {
  const decide = createDecider(gov, policy, callerOf(role, scopes), purpose);
  it("shows no completing field in full beside a masked value", () => {
    const leaks: string[] = [];
    for (const field of masked) {
      if (decide(field).decision !== "mask") continue;
      for (const completing of policy.completions[field] ?? []) if (decide(completing).decision === "allow") leaks.push(`${field} masked but ${completing} shown`);
    }
    expect(leaks).toEqual([]);
  });

  it("cannot rebuild a masked ID number from the fields it may see", () => {
    if (decide("Citizen.idNumber").decision !== "mask") return;
    const id = "11010519540212504X";
    const shown = maskValue(policy, gov.rules.get("Citizen.idNumber")!.sensitivity!.mask, id) as string;
    // The birth date, shown directly or as the move-in date of someone born in their flat.
    const birth = decide("Citizen.birthDate").decision === "allow" || decide("Residence.movedIn").decision === "allow" ? "1954-02-12" : null;
    // Whatever a caller can fill in from what it sees: the region is public knowledge (the district), the
    // birth date if shown. Something must stay hidden.
    let rebuilt = "110105" + shown.slice(6);
    if (birth) rebuilt = rebuilt.slice(0, 6) + birth.replace(/-/g, "") + rebuilt.slice(14);
    expect(rebuilt).toContain("*");
  });
});

it("covers every role and purpose of the policy", () => {
  expect(cases.length).toBe(Object.values(policy.roles).reduce((n, r) => n + Object.keys(r.purposes).length, 0));
  expect(masked).toEqual(expect.arrayContaining(["Citizen.idNumber", "Citizen.phone", "Citizen.name", "Household.address", "EmergencyContact.phone", "EmergencyContact.name", "ResidencePermit.number", "ResidencePermit.address", "Visit.notes", "RepairRequest.description"]));
});

it("the ID mask hides exactly the 8 birth-date digits (the completion rule's premise)", () => {
  expect(maskValue(policy, "ID_NUMBER", "11010519540212504X")).toBe("110105********504X");
  expect(policy.completions["Citizen.idNumber"]).toEqual(["Citizen.birthDate", "Residence.movedIn"]);
});
