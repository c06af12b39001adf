/** The README's configuration table, as generated from the configuration definitions (and checked by a test). */
import { GATEWAY_DEPARTMENT_VARS, GATEWAY_VARS } from "../../gateway/src/config";
import { DEPARTMENT_VARS, SUBGRAPH_VARS } from "../../subgraphs/kit/config";
import { REGISTRY_VARS } from "../../schema/registry/config";
import type { EnvVar } from "../../subgraphs/kit/contract/env";

const row = (name: string, v: EnvVar) => `| \`${name}\` | ${v.shown === "unset" || v.shown.includes(" ") || v.shown.includes("`") ? v.shown : `\`${v.shown}\``} | ${v.doc} |`;

export function configTableRows(): string[] {
  const rows = new Map<string, string>();
  for (const [k, v] of Object.entries(GATEWAY_VARS)) rows.set(k, row(k, v));
  for (const [k, v] of Object.entries(SUBGRAPH_VARS)) if (!rows.has(k)) rows.set(k, row(k, v));
  for (const [k, v] of Object.entries(REGISTRY_VARS)) if (!rows.has(k)) rows.set(k, row(k, v));
  rows.set("<NAME>_URL", "| `<NAME>_URL` | routing URL in the supergraph | where the gateway reaches a department, e.g. `ELDERLY_CARE_URL=http://10.0.0.5:4003/graphql`; a `<NAME>_URL` naming no department is reported at start and ignored |");
  for (const [k, v] of Object.entries(GATEWAY_DEPARTMENT_VARS)) rows.set(`<NAME>_${k}`, row(`<NAME>_${k}`, v));
  for (const [k, v] of Object.entries(DEPARTMENT_VARS)) rows.set(`<DEPT>_${k}`, row(`<DEPT>_${k}`, v));
  return [...rows.values()];
}

export const CONFIG_TABLE_HEADER = "| variable | default | meaning |\n| --- | --- | --- |";
