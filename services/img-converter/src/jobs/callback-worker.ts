import { describeJob } from "@belfoot/api-schemas";
import { CALLBACK_QUEUE, findConversionJob, type Queue, type Sql } from "@belfoot/db";
import type { FastifyBaseLogger } from "fastify";
import { Webhook } from "standardwebhooks";
import type { WebhookPoster } from "../fetch";
import type { JobMetrics } from "./job-metrics";

export interface CallbackWorkerDeps {
  boss: Queue;
  sql: Sql;
  poster: WebhookPoster;
  /** WEBHOOK_SECRET: whsec_ + base64. */
  secret: string;
  log: FastifyBaseLogger;
  metrics: JobMetrics;
}

/**
 * Deliver each finished job's JSON (what GET /jobs/:id shows) to its callback_url, signed per
 * Standard Webhooks. A receiver that fails (no 2xx, unreachable, refused by the address rules) is
 * tried again by pg-boss with backoff; the webhook-id stays the same so receivers can deduplicate.
 */
export async function startCallbackWorker(deps: CallbackWorkerDeps): Promise<void> {
  const webhook = new Webhook(deps.secret);
  await deps.boss.work<{ job_id: string }>(
    CALLBACK_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: 1 },
    async ([delivery]) => {
      if (!delivery) return;
      const job = await findConversionJob(deps.sql, delivery.data.job_id);
      if (!job?.callbackUrl) return; // the job (or its owner) is gone
      const payload = JSON.stringify({ type: `job.${job.state}`, ...describeJob(job) });
      const sentAt = new Date();
      const headers = {
        "webhook-id": `msg_${job.id}`,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": webhook.sign(`msg_${job.id}`, sentAt, payload),
      };
      try {
        const status = await deps.poster.post(job.callbackUrl, payload, headers);
        if (status < 200 || status > 299) throw new Error(`the receiver answered HTTP ${status}`);
        deps.metrics.callback("sent");
      } catch (err) {
        deps.metrics.callback("failed");
        deps.log.warn(
          { job_id: job.id, err: (err as Error).message },
          "webhook delivery failed; it will be retried",
        );
        throw err;
      }
    },
  );
}
