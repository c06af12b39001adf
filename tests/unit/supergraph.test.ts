import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEPARTMENT_RECORDS, DEPARTMENTS, defaultRoutingUrl } from "../../subgraphs/departments";
import { parse, visit, Kind, type DocumentNode } from "graphql";
import { compose, readSupergraphConfig, SUPERGRAPH_PATH, HEADER } from "../../schema/composition";

describe("supergraph", () => {
  it("composes from the subgraph SDL files without errors", () => {
    const out = compose();
    expect(out.ok ? [] : out.errors).toEqual([]);
  });

  it("matches the committed schema/supergraph.graphql exactly (run `npm run compose`)", () => {
    const out = compose();
    if (!out.ok) throw new Error(out.errors.join("\n"));
    expect(readFileSync(SUPERGRAPH_PATH, "utf8")).toBe(out.supergraph);
    expect(out.supergraph.startsWith(HEADER)).toBe(true);
  });

  it("lists every department record, with its routing URL, and the in-process insights and access-log services", () => {
    const config = readSupergraphConfig();
    expect(config.map((s) => s.name).sort()).toEqual([...DEPARTMENTS, "access-log", "insights"].sort());
    for (const d of DEPARTMENT_RECORDS) {
      const entry = config.find((s) => s.name === d.name)!;
      expect([d.name, entry.url, entry.file]).toEqual([d.name, defaultRoutingUrl(d), join(__dirname, "../../subgraphs", d.folder, "schema.graphql")]);
    }
  });

  it("fails composition when two subgraphs disagree on a shared type", () => {
    const [a] = readSupergraphConfig();
    const out = compose([a, { ...a, name: "copy" }]);
    expect(out.ok).toBe(false);
  });
});

const CJK = /[\u4e00-\u9fff]/;

function undocumented(doc: DocumentNode): string[] {
  const missing: string[] = [];
  visit(doc, {
    ObjectTypeDefinition(n) {
      if (!n.description && n.name.value !== "Query") missing.push(n.name.value);
      for (const f of n.fields ?? []) if (!f.description) missing.push(`${n.name.value}.${f.name.value}`);
    },
    EnumTypeDefinition(n) {
      if (!n.description || !CJK.test(n.description.value)) missing.push(n.name.value);
      for (const v of n.values ?? []) if (!v.description) missing.push(`${n.name.value}.${v.name.value}`);
    },
    InputObjectTypeDefinition(n) {
      if (!n.description) missing.push(n.name.value);
      for (const f of n.fields ?? []) if (!f.description) missing.push(`${n.name.value}.${f.name.value}`);
    },
  });
  return missing;
}

describe.each(readSupergraphConfig().map((s) => [s.name, s.file]))("SDL of %s", (_name, file) => {
  const doc = parse(readFileSync(file, "utf8"));

  it("defines the governance directives exactly as schema/governance.graphql does", () => {
    const canonical = readFileSync(join(__dirname, "../../schema/governance.graphql"), "utf8");
    expect(readFileSync(file, "utf8")).toContain(canonical);
  });

  it("describes every type, field and enum value", () => {
    expect(undocumented(doc)).toEqual([]);
  });

  it("gives the Chinese term in type descriptions", () => {
    const types = doc.definitions.filter((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value !== "Query" && !/Connection|Edge|PageInfo/.test(d.name.value));
    const noChinese = types.filter((t) => !("description" in t && t.description && CJK.test(t.description.value)));
    expect(noChinese.map((t) => ("name" in t && t.name ? t.name.value : "?"))).toEqual([]);
  });
});
