/**
 * `npm run revoke -- --sub <subject> [--before <ISO time>]`: revokes every token of a subject issued at or
 * before the given time (default: now), for every gateway process sharing `REDIS_URL`, effective on their
 * next request (verified tokens are checked against revocations on every request). Exit 2 on a usage error
 * or when no Redis is configured.
 */
import { Command } from "commander";
import { loadGatewayConfig } from "../../gateway/src/config";
import { createRedisState } from "../../gateway/src/state/shared-state";

const program = new Command("revoke")
  .description("Revoke a subject's tokens on every gateway (needs REDIS_URL)")
  .requiredOption("--sub <subject>", "the token subject (sub claim) to revoke")
  .option("--before <time>", "revoke tokens issued at or before this ISO 8601 time (default: now)")
  .parse();

async function main() {
  const o = program.opts<{ sub: string; before?: string }>();
  const config = loadGatewayConfig();
  if (!config.redisUrl) throw new Error("revocation is shared through Redis: set REDIS_URL to the gateways' Redis");
  const at = o.before ? Date.parse(o.before) : Date.now();
  if (Number.isNaN(at)) throw new Error("--before must be an ISO 8601 time");
  const state = createRedisState(config.redisUrl, config.redisKeyPrefix);
  try {
    await state.revokeSubject(o.sub, Math.floor(at / 1000));
    console.log(`revoked tokens of ${o.sub} issued at or before ${new Date(at).toISOString()}`);
  } finally {
    await state.close();
  }
}

main().catch((e) => {
  console.error(`revoke: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
