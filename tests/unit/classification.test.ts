/**
 * Walks the whole supergraph: every field that identifies a person, or selects people by a personal
 * attribute, carries a sensitivity class — so the purpose rule and the access record apply to it — and every
 * type holding personal data has an owner the access log can name. The walk is the registry's policy lint
 * (schema/registry/classification.ts), run here on the committed supergraph.
 */
import { apiSchema, governance, supergraphSdl } from "../helpers/supergraph";
import { classificationFindings } from "../../schema/registry/classification";

const gov = governance();
const findings = classificationFindings(supergraphSdl(), apiSchema(), gov);
const classOf = (coord: string) => gov.rules.get(coord)?.sensitivity?.class;

describe("every field that identifies a person is classified", () => {
  it("no field returns a citizen-owned object without a class", () => {
    expect(findings.unclassifiedIdentifiers).toEqual([]);
  });

  it("connections of people carry the class on their nodes (cursors are opaque)", () => {
    for (const coord of ["CitizenEdge.node", "ElderEdge.node", "FindingEdge.node"]) expect([coord, classOf(coord)]).toEqual([coord, expect.stringMatching(/^(PERSONAL|SENSITIVE)$/)]);
  });
});

describe("selecting people by a personal attribute is at least that attribute's class", () => {
  it("every field filtered by a classified argument returns people at least as protected", () => {
    expect(findings.weakSelections).toEqual([]);
  });

  it("every argument named like a classified field of what it selects is classified itself", () => {
    expect(findings.unclassifiedArguments).toEqual([]);
  });
  it("classifies the lookups the probe abused", () => {
    expect(classOf("Query.citizenByIdNumber")).toBe("SENSITIVE");
    expect(gov.inputs.get("Query.citizenByIdNumber(idNumber:)")).toBe("SENSITIVE");
    expect(gov.inputs.get("Query.citizensByStatus(status:)")).toBe("PERSONAL");
    expect(classOf("ElderProfile.citizen")).toBe("SENSITIVE");
    expect(classOf("Finding.citizen")).toBe("PERSONAL");
    expect(classOf("AccessRecord.citizens")).toBe("PERSONAL");
  });
});

describe("every type holding personal data has an owner", () => {
  it("each personal field can be attributed: its type has an owner, or every way to reach it passes an owned type", () => {
    expect(findings.unattributable).toEqual([]);
  });

  it("names an owner field that exists on the type", () => {
    expect(gov.owners.size).toBeGreaterThan(0);
    expect(findings.badOwners).toEqual([]);
  });
});

describe("the walk finds what it looks for (it can fail)", () => {
  const sdl = supergraphSdl();
  it("reports a person-identifying field whose class was removed", () => {
    const stripped = sdl.replace('citizen: Citizen @sensitivity(class: "SENSITIVE")', "citizen: Citizen");
    expect(stripped).not.toBe(sdl);
    expect(classificationFindings(stripped).unclassifiedIdentifiers).toContain("ElderProfile.citizen → Citizen");
  });
});
