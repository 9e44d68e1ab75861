import type { Config } from "@belfoot/config";
import type { ConverterMetrics } from "./converter-metrics";
import type { JobQueue } from "./job-queue";

/** What the converter's routes need besides the database (which is `app.sql`). */
export interface ConverterContext {
  config: Config;
  fetcher: { fetch(url: string, signal?: AbortSignal): Promise<{ bytes: Buffer; finalUrl: string }> };
  queue: JobQueue;
  metrics: ConverterMetrics;
}
