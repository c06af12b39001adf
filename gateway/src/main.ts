/** Entry point of the gateway: the one public endpoint. */
import { loadGatewayConfig, withSecrets } from "./config";
import { buildGateway } from "./app";

async function main() {
  const config = withSecrets(loadGatewayConfig());
  const { app, supergraph } = await buildGateway(config);
  for (const w of config.warnings) app.log.warn(w);
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ url: `http://${config.host}:${config.port}/graphql` }, "gateway ready");
  // `npm run schema` on this machine reaches the embedded registry through this gateway's API.
  const addr = app.server.address();
  supergraph.announce(`http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${typeof addr === "object" && addr ? addr.port : config.port}`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (process.send) process.once("disconnect", stop);
}

main().catch((err) => {
  console.error("gateway failed to start:", err);
  process.exit(1);
});
