import {
  CONVERT_QUEUE,
  CONVERT_QUEUED_CHANNEL,
  type ConversionJob,
  findUserById,
  finishConversionJob,
  type JobError,
  type Queue,
  requeueConversionJob,
  type Sql,
  startConversionJob,
} from "@belfoot/db";
import type { FastifyBaseLogger } from "fastify";
import { assertMayStore, type Uploader } from "../article-owner";
import type { ConverterContext } from "../context";
import { encodesOf, fetchAndCompress, storeConverted } from "../use-cases/convert-url";
import { admitWaiting } from "./admit-waiting";
import { isFinal, toJobError } from "./job-error";
import type { JobMetrics } from "./job-metrics";

export interface ConversionWorkerDeps {
  boss: Queue;
  sql: Sql;
  ctx: ConverterContext;
  log: FastifyBaseLogger;
  metrics: JobMetrics;
  /** Compression slots of this process (COMPRESS_CONCURRENCY). */
  concurrency: number;
  /** Deliveries of one job before it fails for good. */
  attempts: number;
  /** Aborted when the process shuts down: a job waiting for a place gives up and is retried elsewhere. */
  signal: AbortSignal;
}

/** Jobs a converter holds per compression slot (COMPRESS_CONCURRENCY). */
const JOBS_PER_SLOT = 2;

const interrupted: JobError = {
  status: 500,
  code: "job_interrupted",
  message: "the conversion was interrupted on every attempt",
};

/**
 * Consume the conversion queue: each delivery converts like POST /convert and stores the image and
 * the job's completion in one transaction, so a job delivered again after a crash (pg-boss expires
 * its active state) never stores twice. Source and request faults (4xx) fail at once; other faults
 * go back to the queue until the attempts are spent.
 */
export async function startConversionWorker(deps: ConversionWorkerDeps): Promise<void> {
  const { boss, sql, ctx, log, metrics } = deps;

  const finish = async (job: ConversionJob, outcome: Parameters<typeof finishConversionJob>[3]) => {
    const done = await finishConversionJob(sql, boss, job.id, outcome);
    if (done) metrics.finished(job, "error" in outcome ? "failed" : "completed");
  };

  const handle = async (jobId: string): Promise<void> => {
    const job = await startConversionJob(sql, jobId);
    if (!job) return; // finished by an earlier delivery, or its owner is gone
    if (job.attempts > 1) metrics.retried();
    if (job.attempts > deps.attempts) return finish(job, async () => ({ error: interrupted }));
    const jobLog = log.child({ job_id: job.id, article_id: job.articleId, attempt: job.attempts });
    try {
      // The same ownership rules as POST /convert, with the owner's role as it is now.
      const owner = await findUserById(sql, job.ownerId);
      const uploader: Uploader = { ownerId: job.ownerId, isAdmin: owner?.role === "admin" };
      await assertMayStore(sql, job.articleId, uploader);
      const place = await admitWaiting(ctx.queue, String(job.ownerId), deps.signal);
      const converted = await fetchAndCompress(ctx, sql, place, job, deps.signal);
      await finish(job, async (tx) => {
        const { answer } = await storeConverted(tx, converted, { articleId: job.articleId, uploader });
        return { result: { ...answer } };
      });
      jobLog.info({ encodes: encodesOf(converted) }, "job completed");
    } catch (err) {
      const error = toJobError(err);
      if (isFinal(error) || job.attempts >= deps.attempts) {
        jobLog.warn({ code: error.code }, "job failed");
        return finish(job, async () => ({ error }));
      }
      jobLog.warn({ err, code: error.code }, "job attempt failed; it will be retried");
      await requeueConversionJob(sql, job.id, error);
      throw err; // pg-boss schedules the retry, with backoff
    }
  };

  // Twice as many jobs in hand as compression slots: while some compress, the others download their
  // source, read the database or store, so a slot that frees finds a job ready for it.
  const workers: string[] = [];
  for (let i = 0; i < deps.concurrency * JOBS_PER_SLOT; i++) {
    let id: string | undefined;
    id = await boss.work<{ job_id: string }>(
      CONVERT_QUEUE,
      { batchSize: 1, pollingIntervalSeconds: 0.5 },
      async ([delivery]) => {
        try {
          if (delivery) await handle(delivery.data.job_id);
        } finally {
          // pg-boss waits out the rest of its polling interval after a short job; a worker that just
          // finished one fetches the next at once instead (it waits only when the queue is empty).
          if (id) boss.notifyWorker(id);
        }
      },
    );
    workers.push(id);
  }
  // Jobs queued by a gateway wake the idle workers; polling stays as the fallback (a lost connection).
  await sql
    .listen(CONVERT_QUEUED_CHANNEL, () => {
      for (const worker of workers) boss.notifyWorker(worker);
    })
    .catch((err: unknown) => log.warn({ err }, "not listening for queued jobs; workers poll"));
}
