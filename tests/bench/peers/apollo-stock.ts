/**
 * Stock Apollo for comparison: Apollo Gateway over the supergraph file, served by @apollo/server's
 * standalone server, everything at its defaults. Env: SUPERGRAPH_PATH, PORT, HOST.
 */
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloGateway } from "@apollo/gateway";

async function main() {
  const path = process.env.SUPERGRAPH_PATH;
  if (!path) throw new Error("SUPERGRAPH_PATH is required");
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(path, "utf8") });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 4000), host: process.env.HOST ?? "127.0.0.1" } });
  console.log(`stock Apollo gateway ready at ${url}`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (process.send) process.once("disconnect", stop);
}

main().catch((err) => {
  console.error("stock Apollo gateway failed to start:", err);
  process.exit(1);
});
