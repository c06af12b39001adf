/**
 * `npm run audit:verify [-- --expect-head HASH]`: recomputes the access log's hash chain.
 * Exit 0 and "access log intact: N records, head <hash>", or exit 1 and "ACCESS LOG TAMPERED: <reason>".
 * Pass the head hash printed by an earlier run (kept outside the database) to also detect records deleted
 * from the end of the log or a rewritten chain. Exit 2 when the log cannot be read at all.
 */
import { existsSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { loadGatewayConfig } from "../../gateway/src/config";
import { openAuditStore, type VerifyResult } from "../../gateway/src/audit/store";
import { GENESIS_HASH } from "../../gateway/src/audit/hash";
import { hasLockFile, liveOwner, recordedOwner } from "../../gateway/src/audit/folder-owner";

async function verifyFromEnv(expectHead: string | undefined): Promise<VerifyResult> {
  const opts = loadGatewayConfig().audit;
  // An embedded log that was never written is an empty, intact log: do not create its folder just to read it.
  if (!opts.databaseUrl && !existsSync(opts.dataDir)) {
    if (expectHead === undefined || expectHead === GENESIS_HASH) return { ok: true, count: 0, headHash: GENESIS_HASH };
    return { ok: false, count: 0, firstBadSeq: 1, reason: `the expected head ${expectHead} is not in the log: the log (${opts.dataDir}) does not exist` };
  }
  // PGlite is single-process: opening the folder while the gateway's writer has it open could corrupt it.
  // A lock left by a process that no longer runs (killed, crashed) is stale: the log is opened and recovered.
  if (!opts.databaseUrl && hasLockFile(opts.dataDir)) {
    const live = liveOwner(opts.dataDir);
    if (live) throw new Error(`${opts.dataDir} is open in process ${live.pid} (the gateway's access-log writer, since ${live.at}): stop the gateway first`);
    const stale = recordedOwner(opts.dataDir);
    if (!stale) throw new Error(`${opts.dataDir} is open in another process, or was left open by an older version (stop the gateway first; if none runs, delete its postmaster.pid)`);
    console.error(`note: the log was left open by process ${stale.pid}, which no longer runs (a crash); recovering it`);
  }
  const store = await openAuditStore(opts);
  try {
    return await store.verify(expectHead);
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("audit:verify")
    .description("Verify the hash chain of the gateway's access log")
    .option("--expect-head <hash>", "head hash recorded earlier; it must still be in the chain", (v) => {
      if (!/^[0-9a-f]{64}$/.test(v)) throw new InvalidArgumentError("it must be 64 lowercase hex characters");
      return v;
    })
    .exitOverride() // usage errors exit 2 (never 1, which means tampered)
    .parse(argv);
  const { expectHead } = program.opts<{ expectHead?: string }>();
  const result = await verifyFromEnv(expectHead);
  if (result.ok) {
    console.log(`access log intact: ${result.count} records, head ${result.headHash}`);
    return 0;
  }
  console.log(`ACCESS LOG TAMPERED: ${result.reason}`);
  console.log(`first bad record: ${result.firstBadSeq}; records verified before it: ${result.count}`);
  return 1;
}

main(process.argv).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof CommanderError) return void (process.exitCode = e.exitCode === 0 ? 0 : 2); // commander printed it
    console.error(`audit:verify failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
