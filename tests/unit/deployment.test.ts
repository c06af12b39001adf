/**
 * The production topology (gateway/deploy/kubernetes.yaml) is valid Kubernetes — every document checked
 * against the Kubernetes OpenAPI schemas (kubernetes-models) — and agrees with the code: a Deployment and a
 * Service per department record with its port and database variable, the gateway scaled out with the shared
 * Redis and PostgreSQL access log, probes on the health endpoints, every configured variable a real one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { DEPARTMENT_RECORDS } from "../../subgraphs/departments";
import { GATEWAY_VARS, loadGatewayConfig } from "../../gateway/src/config";
import { SUBGRAPH_VARS } from "../../subgraphs/kit/config";
import { REGISTRY_VARS } from "../../schema/registry/config";

const docs = parseAllDocuments(readFileSync(join(__dirname, "../../gateway/deploy/kubernetes.yaml"), "utf8")).map((d) => {
  if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join("; "));
  return d.toJSON() as { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };
});

/** The kubernetes-models class for an apiVersion and kind, e.g. apps/v1 Deployment. */
function modelOf(apiVersion: string, kind: string): new (o: unknown) => { validate(): void } {
  const path = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(`kubernetes-models/${path === "core/v1" ? "v1" : path}/${kind}`);
  return mod[kind];
}

const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

describe("the Kubernetes manifest", () => {
  it.each(docs.map((d) => [`${d.kind} ${d.metadata.name}`, d] as const))("%s is valid against the Kubernetes schemas", (_label, doc) => {
    const Model = modelOf(doc.apiVersion, doc.kind);
    expect(() => new Model(doc).validate()).not.toThrow();
  });

  it("refuses an invalid manifest (the validation is real)", () => {
    const bad = JSON.parse(JSON.stringify(find("Deployment", "gateway")));
    bad.spec.replicas = "three";
    expect(() => new (modelOf("apps/v1", "Deployment"))(bad).validate()).toThrow();
  });

  it.each(DEPARTMENT_RECORDS.map((d) => [d.name, d] as const))("runs %s as its record says, reachable only from the gateway", (_name, d) => {
    const dep = find("Deployment", d.name)!;
    const c = dep.spec.template.spec.containers[0];
    expect(c.command).toEqual(["node", `dist/subgraphs/${d.folder}/main.js`]);
    expect(c.ports[0].containerPort).toBe(d.port);
    expect(c.env.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining([`${d.envPrefix}_DATABASE_URL`, "INTERNAL_SIGNING_SECRET"]));
    expect(find("Service", d.name)!.spec.ports[0].port).toBe(d.port);
    expect(find("ConfigMap", "citizen-graph")!.data![`${d.envPrefix}_URL`]).toBe(`http://${d.name}.citizen-graph.svc.cluster.local:${d.port}/graphql`);
    expect(dep.spec.template.metadata.labels["app.kubernetes.io/component"]).toBe("department");
  });

  it("scales the gateway out on shared Redis and PostgreSQL, with probes and a memory limit", () => {
    const gw = find("Deployment", "gateway")!;
    expect(gw.spec.replicas).toBeGreaterThanOrEqual(2);
    const c = gw.spec.template.spec.containers[0];
    expect(c.env.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(["REDIS_URL", "AUDIT_DATABASE_URL", "REGISTRY_DATABASE_URL", "INTERNAL_SIGNING_SECRET", "AUTH_JWKS_URL"]));
    // Replicas share one registry (an embedded one per pod would diverge) and send traces to a collector.
    const config = find("ConfigMap", "citizen-graph")!.data!;
    expect([config.SUPERGRAPH_SOURCE, config.TRACING]).toEqual(["registry", "otlp"]);
    expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^http:\/\/.+:4318\/v1\/traces$/);
    expect([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path]).toEqual(["/readyz", "/healthz"]);
    expect(c.resources.limits.memory).toBe("400Mi");
    // Started as `npm start` starts it: the default node flags (heap limit, --expose-gc) and process environment.
    const launch = loadGatewayConfig({});
    expect(c.command).toEqual(["node", ...launch.nodeFlags, "dist/gateway/src/main.js"]);
    for (const [name, value] of Object.entries(launch.processEnv)) expect(c.env).toContainEqual({ name, value });
    expect(find("NetworkPolicy", "departments-only-from-gateway")!.spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/component"]).toBe("gateway");
  });

  it("configures only variables the code reads", () => {
    const known = new Set([...Object.keys(GATEWAY_VARS), ...Object.keys(loadGatewayConfig({}).processEnv), ...Object.keys(SUBGRAPH_VARS), ...Object.keys(REGISTRY_VARS), ...DEPARTMENT_RECORDS.flatMap((d) => [`${d.envPrefix}_URL`, `${d.envPrefix}_PORT`, `${d.envPrefix}_DATABASE_URL`])]);
    const used = [...Object.keys(find("ConfigMap", "citizen-graph")!.data!), ...docs.filter((d) => d.kind === "Deployment").flatMap((d) => d.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name))];
    expect(used.filter((v) => !known.has(v))).toEqual([]);
  });
});
