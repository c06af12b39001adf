/**
 * How the gateway reaches each subgraph: the departments over HTTP (routing URL from the supergraph,
 * overridable per subgraph), the insights checks in process. A department that cannot be reached yields
 * SUBGRAPH_UNAVAILABLE naming it, never a transport error message.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { createInsightsDataSource, INSIGHTS_SUBGRAPH, type InsightsContext } from "./insights/service";
import { apiError } from "./errors";
import type { GatewayConfig } from "./config";

class DepartmentDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly name: string,
    url: string,
  ) {
    super({ url });
  }

  override async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (err) {
      const e = err as { name?: string; code?: string; type?: string; message?: string };
      if (e?.name === "FetchError" || e?.type === "system" || /ECONN|ETIMEDOUT|socket hang up|network timeout/i.test(e?.message ?? "")) {
        throw apiError("SUBGRAPH_UNAVAILABLE", `The ${this.name} system is not answering.`, { serviceName: this.name });
      }
      throw err;
    }
  }
}

export function createServiceBuilder(config: GatewayConfig, insights: InsightsContext) {
  return ({ name, url }: { name: string; url?: string }): GraphQLDataSource => {
    if (name === INSIGHTS_SUBGRAPH) return createInsightsDataSource(insights);
    return new DepartmentDataSource(name, config.subgraphUrls[name] ?? url ?? "");
  };
}
