/**
 * How the gateway reaches each subgraph: the departments over HTTP (routing URL from the supergraph,
 * overridable per subgraph), the insights checks in process.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSource } from "@apollo/gateway";
import { createInsightsDataSource, INSIGHTS_SUBGRAPH, type InsightsContext } from "./insights/service";
import type { GatewayConfig } from "./config";

export function createServiceBuilder(config: GatewayConfig, insights: InsightsContext) {
  return ({ name, url }: { name: string; url?: string }): GraphQLDataSource => {
    if (name === INSIGHTS_SUBGRAPH) return createInsightsDataSource(insights);
    return new RemoteGraphQLDataSource({ url: config.subgraphUrls[name] ?? url });
  };
}
