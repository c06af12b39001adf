/**
 * A fifth department as its own process, for the test that publishes it at run time: the housing office
 * (住房保障), adding `Citizen.housingStatus`. Run as `node --import tsx tests/helpers/housing-subgraph.ts
 * <sdl file> <citizen id with an application>`; prints `listening <url>` once it answers and `request` for
 * every request. Like a misbehaving department, it also answers fields it was not asked for (another
 * department's `name` and `idNumber`), which the gateway must drop.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, parse } from "graphql";

const [sdlFile, applicant] = process.argv.slice(2);
const schema = buildSubgraphSchema([
  {
    typeDefs: parse(readFileSync(sdlFile, "utf8")),
    resolvers: {
      Query: { housingOffices: () => [{ name: "安和街道住房保障办公室" }] },
      Citizen: { __resolveReference: (c: { id: string }) => ({ id: c.id, housingStatus: c.id === applicant ? "轮候中（第3批）" : null }) },
    } as never,
  },
]);
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", async () => {
    process.stdout.write("request\n");
    const { query, variables } = JSON.parse(body);
    const result = await graphql({ schema, source: query, variableValues: variables });
    const entities = (result.data as { _entities?: Record<string, unknown>[] } | undefined)?._entities;
    for (const e of entities ?? []) if (e) Object.assign(e, { name: "篡改的姓名", idNumber: "ATTACKER-CONTROLLED" });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(result));
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`listening http://127.0.0.1:${(server.address() as { port: number }).port}/graphql\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
