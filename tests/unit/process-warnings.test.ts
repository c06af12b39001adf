/** A gateway started other than as `npm start` starts it says at start what it is missing. */
import { loadGatewayConfig, withSecrets } from "../../gateway/src/config";
import { warnAboutProcess } from "../../gateway/src/data-sources";
import type { FastifyBaseLogger } from "fastify";

function warnings(env: Record<string, string>, gcExposed: boolean, processEnv: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  const log = { warn: (a: unknown, b?: string) => out.push(typeof a === "string" ? a : String(b)) } as unknown as FastifyBaseLogger;
  const had = process.env.MALLOC_MMAP_THRESHOLD_;
  try {
    if (processEnv.MALLOC_MMAP_THRESHOLD_ === undefined) delete process.env.MALLOC_MMAP_THRESHOLD_;
    else process.env.MALLOC_MMAP_THRESHOLD_ = processEnv.MALLOC_MMAP_THRESHOLD_;
    warnAboutProcess({ ...loadGatewayConfig(env), signingSecret: "s" } as ReturnType<typeof withSecrets>, gcExposed, log);
  } finally {
    if (had === undefined) delete process.env.MALLOC_MMAP_THRESHOLD_;
    else process.env.MALLOC_MMAP_THRESHOLD_ = had;
  }
  return out;
}

describe("start-up warnings about the gateway process", () => {
  it("none when started with --expose-gc and the mmap threshold", () => {
    expect(warnings({}, true, { MALLOC_MMAP_THRESHOLD_: "131072" })).toEqual([]);
  });

  it("names what is missing: the collector, the variable, or a different value", () => {
    expect(warnings({}, false, { MALLOC_MMAP_THRESHOLD_: "131072" })).toEqual([expect.stringMatching(/--expose-gc/)]);
    expect(warnings({}, true, {})).toEqual([expect.stringMatching(/MALLOC_MMAP_THRESHOLD_=131072/)]);
    expect(warnings({}, true, { MALLOC_MMAP_THRESHOLD_: "999" })).toEqual([expect.stringMatching(/MALLOC_MMAP_THRESHOLD_=131072/)]);
  });

  it("none for what is turned off", () => {
    expect(warnings({ GATEWAY_GC_AFTER_ANSWER_BYTES: "0", GATEWAY_MALLOC_MMAP_THRESHOLD: "0" }, false, {})).toEqual([]);
  });
});
