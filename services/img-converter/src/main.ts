import { runService } from "@belfoot/fastify-kit";
import { buildConverterApp } from "./app";

await runService({
  name: "img-converter",
  build: buildConverterApp,
  address: (config) => ({ host: config.CONVERTER_HOST, port: config.CONVERTER_PORT }),
  metricsAddress: (config) => ({ host: config.METRICS_HOST, port: config.CONVERTER_METRICS_PORT }),
});
