/**
 * `npm run token -- --role grid-worker --grid G-0101` prints a development token (HS256, signed with the
 * embedded default's secret, or AUTH_JWT_SECRET) for a built-in role.
 */
import { Command } from "commander";
import { loadGatewayConfig, withSecrets } from "../../gateway/src/config";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { mintToken } from "../../gateway/src/auth/mint";
import { DEPARTMENTS } from "../../subgraphs/departments";

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];

const program = new Command("token")
  .description("Mint a development token for a built-in role")
  .requiredOption("--role <role>", "a role of schema/policy.yaml, e.g. grid-worker, community-officer, department-officer, data-steward, auditor, citizen")
  .option("--grid <ids>", "grid ids served (grid-worker)", list)
  .option("--community <ids>", "community ids served (community-officer, elderly-care-worker)", list)
  .option("--building <ids>", "building ids managed (property-staff)", list)
  .option("--department <name>", `department of a department-officer (${DEPARTMENTS.join(" | ")})`)
  .option("--citizen <id>", "the citizen's own id (citizen role)")
  .option("--name <name>", "display name")
  .option("--org <org>", "organisation")
  .option("--scopes <scopes>", "override scopes (comma-separated)", list)
  .option("--expires <duration>", "lifetime, e.g. 8h, 30m", "8h")
  .option("--client <name>", "the client application the token is issued to (`client_id` claim: its safelist applies whatever headers say)")
  .parse();

async function main() {
  const o = program.opts<{ role: string; grid?: string[]; community?: string[]; building?: string[]; department?: string; citizen?: string; name?: string; org?: string; scopes?: string[]; expires: string; client?: string }>();
  const config = withSecrets(loadGatewayConfig());
  if (!config.auth.hs256Secret) throw new Error("tokens can be minted only with an HS256 secret (not in JWKS mode)");
  const token = await mintToken(loadPolicy(config.policyPath), config.auth.hs256Secret, {
    role: o.role,
    sub: o.citizen,
    name: o.name,
    org: o.org,
    department: o.department,
    scopes: o.scopes,
    grids: o.grid,
    communities: o.community,
    buildings: o.building,
    expiresIn: o.expires,
    client: o.client,
  }, config.auth.issuer, config.auth.audience);
  process.stdout.write(token + "\n");
}

main().catch((e) => {
  console.error(`token: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
