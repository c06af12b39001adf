/**
 * No landing page: Apollo Server's default page for a browser's `GET /graphql` loads scripts and fonts from
 * outside hosts. The gateway serves nothing that reaches outside; a GET without a query is a BAD_REQUEST.
 */
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GatewayPlugin } from "./types";

export function createLandingPagePlugin(): GatewayPlugin {
  return { name: "landing-page", apollo: ApolloServerPluginLandingPageDisabled() };
}
