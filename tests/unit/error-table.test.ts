import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES } from "../../gateway/src/errors";

/** Rows of the README's error table: | `CODE` | status | meaning | */
function readmeErrorRows(): Map<string, number> {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const section = readme.split(/^### Error codes$/m)[1]?.split(/^## /m)[0] ?? "";
  const rows = new Map<string, number>();
  for (const m of section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) rows.set(m[1], Number(m[2]));
  return rows;
}

describe("README error table", () => {
  it("lists exactly the codes of the registry", () => {
    expect([...readmeErrorRows().keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("gives each code the registry's HTTP status", () => {
    const rows = readmeErrorRows();
    for (const [code, spec] of Object.entries(ERROR_CODES)) expect([code, rows.get(code)]).toEqual([code, spec.status]);
  });
});
