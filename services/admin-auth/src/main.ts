import { runService } from "@belfoot/fastify-kit";
import { buildGatewayApp } from "./app";

await runService({
  name: "admin-auth",
  build: buildGatewayApp,
  address: (config) => ({ host: config.HOST, port: config.PORT }),
  metricsAddress: (config) => ({ host: config.METRICS_HOST, port: config.METRICS_PORT }),
});
