import type { Config } from "@belfoot/config";
import type { ConverterMetrics } from "./converter-metrics";
import type { SourceFetcher } from "./fetch";
import type { JobQueue } from "./job-queue";

/** What the converter's routes need besides the database (which is `app.sql`). */
export interface ConverterContext {
  config: Config;
  fetcher: Pick<SourceFetcher, "fetchIfChanged">;
  queue: JobQueue;
  metrics: ConverterMetrics;
}
