/**
 * The supergraph the peer gateways serve: the project's composed supergraph with the routing URLs of the
 * departments pointed at the benchmark's subgraph ports, and without `for: SECURITY` on the @link of
 * @requiresScopes / @policy (gateways refuse SECURITY features they cannot enforce; ours strips it the same
 * way in gateway/src/app.ts and enforces them itself). The two in-process services keep their
 * `in-process://` URLs: peers cannot reach them, and the workloads do not select their fields.
 */
import { readFileSync, writeFileSync } from "node:fs";

export function peerSupergraph(sourcePath: string, urls: Record<string, string>): string {
  let sdl = readFileSync(sourcePath, "utf8").replace(/(@link\(url: "[^"]+"), for: SECURITY\)/g, "$1)");
  for (const [name, url] of Object.entries(urls)) {
    const re = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!re.test(sdl)) throw new Error(`the supergraph has no join__graph named ${name}`);
    sdl = sdl.replace(re, `$1${url}$2`);
  }
  return sdl;
}

export function writePeerSupergraph(sourcePath: string, targetPath: string, urls: Record<string, string>): string {
  writeFileSync(targetPath, peerSupergraph(sourcePath, urls));
  return targetPath;
}
