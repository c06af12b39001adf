/**
 * A new supergraph version (the registry publishes one; the gateway rebuilds its data sources) reuses each
 * department's connection pool: building a department again with the same URL opens no new pool, so pools
 * do not pile up over a long run of publishes. A new routing URL gets its own pool; `close()` closes all.
 */
import { createServiceBuilder } from "../../gateway/src/data-sources";
import { loadGatewayConfig, type ResolvedGatewayConfig } from "../../gateway/src/config";

const silent = { info() {}, warn() {}, error() {}, debug() {} };

it("keeps one pool per department across rebuilds; a new routing URL gets a new one", async () => {
  const config = { ...loadGatewayConfig({}), signingSecret: "s".repeat(48) } as ResolvedGatewayConfig;
  config.subgraphUrls = {}; // the URLs come from the supergraph, as with the registry
  const builder = createServiceBuilder(config, {} as never, {} as never, () => ({}) as never, silent as never);
  for (let version = 1; version <= 20; version++) {
    builder.build({ name: "civil-affairs", url: "http://127.0.0.1:4001/graphql" });
    builder.build({ name: "elderly-care", url: "http://127.0.0.1:4003/graphql" });
  }
  expect(builder.pools()).toBe(2);
  builder.build({ name: "civil-affairs", url: "http://10.0.0.7:4001/graphql" });
  expect(builder.pools()).toBe(3); // the old one stays open a while for requests already planned on it
  builder.build({ name: "civil-affairs", url: "http://10.0.0.7:4001/graphql" });
  expect(builder.pools()).toBe(3);
  await builder.close();
});
