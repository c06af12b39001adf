/**
 * `npm run bench:profile [-- <dir or .cpuprofile>...]`: where the CPU went, from the V8 profiles that
 * `npm run bench -- --cpu-prof` writes to .bench/profiles/. For each profile: self time by package (or
 * by our own top-level folder) and the functions with the most self time.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const root = join(__dirname, "../..");

function files(target: string): string[] {
  if (statSync(target).isFile()) return [target];
  return readdirSync(target, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(target, f))
    .sort();
}

/** node_modules/<pkg> (scoped too), our top folder (gateway/, subgraphs/<dept>/…), node internals or V8. */
function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return "node:internals";
  const rel = relative(root, url.replace(/^file:\/\//, ""));
  const parts = rel.split("/");
  return parts.slice(0, parts[0] === "subgraphs" || parts[0] === "gateway" ? 3 : 1).join("/");
}

function summarise(path: string, top: number): string {
  const p = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byOwner = new Map<string, number>();
  const byFn = new Map<string, number>();
  let idle = 0;
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === "(idle)") {
      idle += t;
      continue;
    }
    const o = owner(url, functionName);
    byOwner.set(o, (byOwner.get(o) ?? 0) + t);
    const key = `${functionName || "(anonymous)"} ${url ? `${relative(root, url.replace(/^file:\/\//, ""))}:${lineNumber + 1}` : ""}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  const busy = total - idle;
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  const lines = [`${relative(root, path)}: ${(busy / 1e6).toFixed(1)} s busy of ${(total / 1e6).toFixed(1)} s`];
  lines.push("  by package / folder (self time):");
  for (const [o, t] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(t)}  ${o}`);
  lines.push("  hottest functions (self time):");
  for (const [f, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(t)}  ${f}`);
  return lines.join("\n");
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const top = Number(process.argv.find((a) => a.startsWith("--top="))?.slice(6) ?? 15);
for (const f of (targets.length ? targets : [join(root, ".bench/profiles")]).flatMap(files)) console.log(`${summarise(f, top)}\n`);
