/**
 * Dependencies point one way: departments (subgraphs/**) never import the gateway; the gateway uses only the
 * department kit (subgraphs/kit/**, the neutral contract between the two) and the department records
 * (subgraphs/departments.ts), never a department's own code; and no two files import each other, directly
 * or in a circle.
 */
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === "node_modules" || f === "generated" || f === "dist") return [];
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(f) && !f.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative imports of a file, resolved to repository paths (type-only imports included: they couple too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|require\(\s*`?"?(\.[^"`)]+)/g)) {
    const spec = m[1] ?? m[2];
    if (!spec || spec.includes("${")) continue;
    const base = resolve(dirname(file), spec);
    const target = [`${base}.ts`, join(base, "index.ts"), base].find((p) => existsSync(p) && statSync(p).isFile());
    if (target) out.push(relative(ROOT, target));
  }
  return out;
}

const files = [...sources(join(ROOT, "gateway")), ...sources(join(ROOT, "subgraphs")), ...sources(join(ROOT, "schema"))].map((f) => relative(ROOT, f));
const graph = new Map(files.map((f) => [f, importsOf(join(ROOT, f))]));

describe("dependencies point one way", () => {
  it("no department or kit file imports the gateway", () => {
    const wrong = files.filter((f) => f.startsWith("subgraphs/")).flatMap((f) => graph.get(f)!.filter((t) => t.startsWith("gateway/")).map((t) => `${f} → ${t}`));
    expect(wrong).toEqual([]);
  });

  it("the gateway imports only the department kit and the department records, never a department's code", () => {
    const allowed = (t: string) => t.startsWith("subgraphs/kit/") || t === "subgraphs/departments.ts";
    const wrong = files.filter((f) => f.startsWith("gateway/")).flatMap((f) => graph.get(f)!.filter((t) => t.startsWith("subgraphs/") && !allowed(t)).map((t) => `${f} → ${t}`));
    expect(wrong).toEqual([]);
  });

  it("the department kit imports no department", () => {
    const wrong = files.filter((f) => f.startsWith("subgraphs/kit/")).flatMap((f) => graph.get(f)!.filter((t) => t.startsWith("subgraphs/") && !t.startsWith("subgraphs/kit/") && t !== "subgraphs/departments.ts" && !t.startsWith("subgraphs/synthetic/")).map((t) => `${f} → ${t}`));
    expect(wrong).toEqual([]);
  });

  it("has no file-level import cycle", () => {
    // Tarjan's strongly connected components over the import graph.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("finds imports at all (the check is not vacuous)", () => {
    expect(graph.get("gateway/src/app.ts")).toEqual(expect.arrayContaining(["gateway/src/pipeline.ts", "subgraphs/kit/contract/client-errors.ts"]));
  });
});
