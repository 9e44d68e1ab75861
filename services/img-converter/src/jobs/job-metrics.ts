import { type ConversionJob, countConversionJobs, type Sql } from "@belfoot/db";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What the queued work reports: depth per state (read from the database at scrape), latency, retries, webhooks. */
export function jobMetrics(registry: Registry, sql: Sql) {
  const registers = [registry];
  new Gauge({
    name: "belfoot_jobs",
    help: "Conversion jobs per state, across every converter (read from the database at scrape time)",
    labelNames: ["state"],
    registers,
    async collect() {
      const counts = await countConversionJobs(sql).catch(() => undefined);
      if (!counts) return;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  const latency = new Histogram({
    name: "belfoot_job_latency_seconds",
    help: "Accepted to finished, per job finished by this converter",
    labelNames: ["state"],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers,
  });
  const retries = new Counter({
    name: "belfoot_job_retries_total",
    help: "Job deliveries after the first (a failed attempt or a converter that died mid-job)",
    registers,
  });
  const callbacks = new Counter({
    name: "belfoot_callbacks_total",
    help: "Webhook deliveries attempted, by outcome (sent, failed)",
    labelNames: ["outcome"],
    registers,
  });
  return {
    finished(job: ConversionJob, state: "completed" | "failed") {
      latency.observe({ state }, (Date.now() - job.createdAt.getTime()) / 1000);
    },
    retried() {
      retries.inc();
    },
    callback(outcome: "sent" | "failed") {
      callbacks.inc({ outcome });
    },
  };
}

export type JobMetrics = ReturnType<typeof jobMetrics>;
