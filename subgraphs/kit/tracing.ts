/**
 * OpenTelemetry tracing of one service (the gateway or a department): its own tracer provider, never
 * registered globally (the gateway and the departments may share a process in tests and benchmarks), W3C
 * trace context (`traceparent`, `tracestate`) read from incoming headers and written into outgoing ones.
 * Contexts are passed explicitly (no context manager, no monkey-patching).
 *
 * `TRACING=off` (the default) builds nothing: callers hold `undefined` and skip every tracing step.
 * `otlp` sends batches of spans over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT`; `console` prints
 * each span on standard output (development). Spans never carry personal data: no variables, no query
 * text, no citizen ids — operation names, request ids, department names, outcomes and status codes only.
 */
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { Resource } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export type TracingMode = "off" | "otlp" | "console";

export interface TracingConfig {
  /** TRACING */
  mode: TracingMode;
  /** OTEL_EXPORTER_OTLP_ENDPOINT (mode `otlp`). */
  endpoint: string;
}

/** A service's tracing (absent when TRACING=off). */
export interface Tracing {
  readonly tracer: Tracer;
  /** The trace context the headers carry (`traceparent`), or the root context when they carry none or a malformed one. */
  extract(headers: Record<string, string | string[] | undefined> | { get(name: string): string | undefined | null }): Context;
  /** Adds `traceparent` (and `tracestate`) of the span in `ctx` to `headers`; returns them. */
  inject(ctx: Context, headers: Record<string, string>): Record<string, string>;
  /** Starts a span, child of the span in `parent` (if any). */
  startSpan(name: string, kind: SpanKind, parent: Context, attributes?: Record<string, string | number | boolean>): Span;
  /** Sends what is buffered and stops (service shutdown); never rejects (unsent spans are dropped). */
  shutdown(): Promise<void>;
}

let testExporter: SpanExporter | undefined;
/**
 * Tests only: services built while this is set (and TRACING is not `off`) hand their spans to `exporter`
 * at once (e.g. an InMemorySpanExporter) instead of the configured one. `undefined` restores the default.
 */
export function useSpanExporterForTests(exporter: SpanExporter | undefined): void {
  testExporter = exporter;
}

const propagator = new W3CTraceContextPropagator();

const getter = {
  keys: (carrier: unknown) => (carrier && typeof (carrier as Map<string, string>).get === "function" && typeof (carrier as Map<string, string>).keys === "function" ? [...(carrier as Map<string, string>).keys()] : Object.keys(carrier as object)),
  get(carrier: unknown, key: string): string | string[] | undefined {
    if (carrier && typeof (carrier as { get?: unknown }).get === "function") return (carrier as { get(k: string): string | undefined | null }).get(key) ?? undefined;
    return (carrier as Record<string, string | string[] | undefined>)[key];
  },
};

/** The tracing of a service named `serviceName`, or undefined with TRACING=off (or no tracing configuration). */
export function createTracing(serviceName: string, config: TracingConfig | undefined): Tracing | undefined {
  if (!config || config.mode === "off") return undefined;
  const processor: SpanProcessor = testExporter
    ? new SimpleSpanProcessor(testExporter)
    : config.mode === "console"
      ? new SimpleSpanProcessor(new ConsoleSpanExporter())
      : new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint }));
  const provider = new BasicTracerProvider({ resource: new Resource({ [ATTR_SERVICE_NAME]: serviceName }), spanProcessors: [processor] });
  const tracer = provider.getTracer("citizen-graph");
  return {
    tracer,
    extract: (headers) => propagator.extract(ROOT_CONTEXT, headers, getter),
    inject(ctx, headers) {
      propagator.inject(ctx, headers, { set: (c, k, v) => ((c as Record<string, string>)[k] = v) });
      return headers;
    },
    startSpan: (name, kind, parent, attributes) => tracer.startSpan(name, { kind, attributes }, parent),
    // A collector that is down must not fail the service's shutdown: spans it could not take are dropped.
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/** The context holding `span` under `parent`. */
export const withSpan = (parent: Context, span: Span): Context => trace.setSpan(parent, span);

export { otelContext, propagation, SpanKind, SpanStatusCode, type Context, type Span };
