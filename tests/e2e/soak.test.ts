/**
 * A short soak (the long one is `npm run soak`): the compiled, governed gateway process under a steady mixed
 * load for 60 s in 10 s slices. Every response is a clean answer (no non-2xx — so no 5xx —, no GraphQL
 * errors, no socket errors), the gateway stays up, and its resident memory does not keep growing: the median
 * of the last third of the samples is within 40 MB of the median of the first third (after a warm-up slice).
 */
import { runSoak } from "../bench/soak";

it("serves a steady mixed load with no failures and bounded memory growth", async () => {
  const started = Date.now();
  const r = await runSoak({ durationS: 60, sliceS: 10, connections: 8, log: (l) => process.stdout.write(`${((Date.now() - started) / 1000).toFixed(0)} s: ${l}\n`) });
  expect({ non2xx: r.non2xx, graphqlErrors: r.graphqlErrors, transportErrors: r.transportErrors, example: r.example, exited: r.gatewayExited }).toEqual({ non2xx: 0, graphqlErrors: 0, transportErrors: 0, example: undefined, exited: false });
  expect(r.requests).toBeGreaterThan(100);
  expect(r.rssMb.length).toBe(6);
  expect(r.rssGrowthMb).toBeLessThan(40);
}, 175_000);
