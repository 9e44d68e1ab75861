import type { Config } from "@belfoot/config";
import type { CompressionQueue } from "./compression-queue";
import type { ConverterMetrics } from "./converter-metrics";
import type { SourceFetcher } from "./fetch";

/** What the converter's routes need besides the database (which is `app.sql`). */
export interface ConverterContext {
  config: Config;
  fetcher: Pick<SourceFetcher, "fetchIfChanged">;
  queue: CompressionQueue;
  metrics: ConverterMetrics;
}
