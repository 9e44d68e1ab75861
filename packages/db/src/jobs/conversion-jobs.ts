import { randomUUID } from "node:crypto";
import type { Sql } from "../connect";
import { CALLBACK_QUEUE, CONVERT_QUEUE, CONVERT_QUEUED_CHANNEL, inTransaction, type Queue } from "./queue";

export type JobState = "queued" | "active" | "completed" | "failed";

export interface JobError {
  status: number;
  code: string;
  message: string;
}

export interface ConversionJob {
  id: string;
  ownerId: number;
  articleId: string;
  url: string;
  callbackUrl: string | null;
  state: JobState;
  attempts: number;
  result: Record<string, unknown> | null;
  error: JobError | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface JobRequest {
  articleId: string;
  url: string;
}

export interface EnqueueOptions {
  ownerId: number;
  items: JobRequest[];
  callbackUrl: string | null;
  /** Unfinished jobs (queued or active) an account may have; beyond, nothing is queued. */
  maxUnfinished: number;
}

export type EnqueueResult = { queued: true; ids: string[] } | { queued: false; unfinished: number };

// result and error as text: the pool's camelCase transform would rename the keys inside jsonb values.
const JOB_COLUMNS = `id, owner_id::float8 as owner_id, article_id, url, callback_url, state, attempts,
  result::text as result, error::text as error, created_at, updated_at, finished_at`;

type JobRow = Omit<ConversionJob, "result" | "error"> & { result: string | null; error: string | null };

function fromRow(row: JobRow | undefined): ConversionJob | undefined {
  if (!row) return undefined;
  return {
    ...row,
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error === null ? null : JSON.parse(row.error),
  };
}

/**
 * Record the jobs and queue them in one transaction: either every item of the request is queued
 * and recorded, or none (the account is over its limit, or the database failed). The per-account
 * advisory lock makes the count and the inserts one step for concurrent requests of one account.
 *
 * Fairness: pg-boss hands out the highest priority first, so each job's priority is minus the
 * number of unfinished jobs its account has before it. Every account's next job then ranks with the
 * others' next jobs: a single job of a quiet account starts before the rest of a busy one's batch.
 */
export async function enqueueConversions(
  sql: Sql,
  boss: Queue,
  opts: EnqueueOptions,
): Promise<EnqueueResult> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended('conversion_jobs:' || ${opts.ownerId}::text, 0))`;
    const [count] = await tx<{ n: number }[]>`
      select count(*)::int as n from conversion_jobs
      where owner_id = ${opts.ownerId} and state in ('queued', 'active')`;
    const unfinished = count?.n ?? 0;
    if (unfinished + opts.items.length > opts.maxUnfinished) return { queued: false, unfinished };
    const rows = opts.items.map((item) => ({
      id: randomUUID(),
      owner_id: opts.ownerId,
      article_id: item.articleId,
      url: item.url,
      callback_url: opts.callbackUrl,
    }));
    await tx`insert into conversion_jobs ${tx(rows, "id", "owner_id", "article_id", "url", "callback_url")}`;
    await boss.insert(
      rows.map((row, i) => ({
        id: row.id,
        name: CONVERT_QUEUE,
        data: { job_id: row.id },
        priority: -(unfinished + i),
      })),
      { db: inTransaction(tx as unknown as Sql) },
    );
    // Delivered on commit, so a woken worker finds the jobs.
    await tx`select pg_notify(${CONVERT_QUEUED_CHANNEL}, '')`;
    return { queued: true, ids: rows.map((r) => r.id) };
  }) as Promise<EnqueueResult>;
}

export async function findConversionJob(sql: Sql, id: string): Promise<ConversionJob | undefined> {
  const [row] = await sql<JobRow[]>`
    select ${sql.unsafe(JOB_COLUMNS)} from conversion_jobs where id = ${id}`;
  return fromRow(row);
}

/**
 * A worker starts a delivery: the job is active and has one attempt more. Undefined when the job is
 * already finished (a duplicate delivery) or gone (its owner was deleted): nothing to do.
 */
export async function startConversionJob(sql: Sql, id: string): Promise<ConversionJob | undefined> {
  const [row] = await sql<JobRow[]>`
    update conversion_jobs set state = 'active', attempts = attempts + 1, updated_at = now()
    where id = ${id} and state in ('queued', 'active')
    returning ${sql.unsafe(JOB_COLUMNS)}`;
  return fromRow(row);
}

/** Queue the job's webhook delivery in the same transaction as its final state. */
async function queueCallback(tx: Sql, boss: Queue, job: ConversionJob): Promise<void> {
  if (!job.callbackUrl) return;
  await boss.insert([{ name: CALLBACK_QUEUE, data: { job_id: job.id } }], { db: inTransaction(tx) });
}

export type JobOutcome = { result: Record<string, unknown> } | { error: JobError };

/**
 * The job's final state, once: false when it was already finished (another delivery got there
 * first). `decide` runs inside the transaction, under the job's row lock (storing the image, then
 * saying how it went), so the image and the job's completion commit together and a job delivered
 * again never stores twice. The webhook delivery, if any, is queued in the same transaction.
 */
export async function finishConversionJob(
  sql: Sql,
  boss: Queue,
  id: string,
  decide: (tx: Sql) => Promise<JobOutcome>,
): Promise<boolean> {
  return sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const [locked] = await t<{ state: JobState }[]>`
      select state from conversion_jobs where id = ${id} for update`;
    if (!locked || locked.state === "completed" || locked.state === "failed") return false;
    const outcome = await decide(t);
    const [row] = await t<JobRow[]>`
      update conversion_jobs set
        state = ${"result" in outcome ? "completed" : "failed"},
        result = ${"result" in outcome ? t.json(outcome.result as never) : null},
        error = ${"error" in outcome ? t.json(outcome.error as never) : null},
        updated_at = now(), finished_at = now()
      where id = ${id}
      returning ${t.unsafe(JOB_COLUMNS)}`;
    const job = fromRow(row);
    if (job) await queueCallback(t, boss, job);
    return true;
  }) as Promise<boolean>;
}

/** A failed delivery that will be retried: back to queued, with the error that sent it back. */
export async function requeueConversionJob(sql: Sql, id: string, error: JobError): Promise<void> {
  await sql`
    update conversion_jobs set state = 'queued', error = ${sql.json(error as never)}, updated_at = now()
    where id = ${id} and state = 'active'`;
}

/** Jobs per state, for the queue-depth gauge. */
export async function countConversionJobs(sql: Sql): Promise<Record<JobState, number>> {
  const rows = await sql<{ state: JobState; n: number }[]>`
    select state, count(*)::int as n from conversion_jobs group by state`;
  const counts: Record<JobState, number> = { queued: 0, active: 0, completed: 0, failed: 0 };
  for (const row of rows) counts[row.state] = row.n;
  return counts;
}
