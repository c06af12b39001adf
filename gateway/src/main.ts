/** Entry point of the gateway: the one public endpoint. */
import { loadGatewayConfig, withSecrets } from "./config";
import { buildGateway } from "./app";
import { stopOnSignals } from "../../subgraphs/kit/lifecycle";

async function main() {
  const config = withSecrets(loadGatewayConfig());
  const { app, supergraph } = await buildGateway(config);
  for (const w of config.warnings) app.log.warn(w);
  // SIGTERM/SIGINT: stop accepting, finish requests in flight (SHUTDOWN_TIMEOUT_MS), flush and close the
  // access log and the pools (the app's onClose hooks), exit 0. Apollo Server's own signal handling is off.
  stopOnSignals(app, { timeoutMs: config.shutdownTimeoutMs });
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ url: `http://${config.host}:${config.port}/graphql` }, "gateway ready");
  // `npm run schema` on this machine reaches the embedded registry through this gateway's API.
  const addr = app.server.address();
  supergraph.announce(`http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${typeof addr === "object" && addr ? addr.port : config.port}`);
}

main().catch((err) => {
  console.error("gateway failed to start:", err);
  process.exit(1);
});
