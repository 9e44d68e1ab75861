import Fastify, { type FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

declare module "fastify" {
  interface FastifyInstance {
    /** This app's Prometheus registry: services add their own metrics to it. */
    metrics: Registry;
  }
}

/**
 * Prometheus metrics: request counts and latency by route and status, plus the process defaults.
 * One registry per app (not prom-client's global one, and so not fastify-metrics, which uses it) so
 * that several apps in one process — the tests — never collide. The app itself does not serve them:
 * listenMetrics() does, on an address of its own that the public one never reaches.
 */
async function metricsPlugin(app: FastifyInstance, opts: { service: string }) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.service });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "belfoot_http_requests_total",
    help: "HTTP requests answered, by route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "belfoot_http_request_duration_seconds",
    help: "HTTP request latency, by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  app.decorate("metrics", registry);

  // One pair of label-bound children per (method, route, status), made once: a request then builds no
  // label object (prom-client still hashes the bound labels on each call).
  const bound = new Map<string, { count: { inc(): void }; time: { observe(seconds: number): void } }>();
  app.addHook("onResponse", (request, reply, done) => {
    // The route pattern, never the raw URL: article ids must not become label values.
    const route = request.routeOptions.url ?? "unmatched";
    const key = `${request.method} ${route} ${reply.statusCode}`;
    let series = bound.get(key);
    if (!series) {
      const labels = { method: request.method, route, status: String(reply.statusCode) };
      series = { count: requests.labels(labels), time: latency.labels(labels) };
      bound.set(key, series);
    }
    series.count.inc();
    series.time.observe(reply.elapsedTime / 1000);
    done();
  });
}

export const metrics = fp(metricsPlugin, { name: "belfoot-metrics", fastify: "5.x" });

export interface MetricsListener {
  /** `http://host:port`: GET /metrics there. */
  url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics of `registry` on its own listener (as imgproxy's IMGPROXY_PROMETHEUS_BIND): a
 * service's public port, reached without nginx under `pnpm start`, must not tell anyone its traffic.
 * Port 0 takes a free one.
 */
export async function listenMetrics(
  registry: Registry,
  address: { host: string; port: number },
): Promise<MetricsListener> {
  const server = Fastify({ logger: false });
  server.get("/metrics", async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  await server.listen(address);
  const bound = server.server.address();
  if (!bound || typeof bound === "string") throw new Error("metrics listener has no TCP address");
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return { url: `http://${host}:${bound.port}`, close: () => server.close() };
}
