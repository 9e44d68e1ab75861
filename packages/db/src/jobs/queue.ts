import PgBoss from "pg-boss";
import type { Sql } from "../connect";

/** The pg-boss queue conversions are delivered through; its job ids are conversion_jobs ids. */
export const CONVERT_QUEUE = "convert";
/** Webhook deliveries: their own queue, so a slow receiver never holds a conversion's place. */
export const CALLBACK_QUEUE = "callback";

/** NOTIFYed when conversions are queued: idle workers fetch at once instead of at their next poll. */
export const CONVERT_QUEUED_CHANNEL = "belfoot_convert_queued";

export type Queue = PgBoss;

export interface QueueOptions {
  databaseUrl: string;
  /** Seconds a job may stay active before pg-boss gives it to another worker (its converter died). */
  expireSeconds: number;
  /** Deliveries of one job before it fails for good. */
  attempts: number;
  /** Connections of pg-boss's own pool. */
  poolMax?: number;
}

/**
 * Start pg-boss on the product's database (its schema `pgboss`, created and migrated on first start
 * under its own advisory lock, so every process may start it) and make sure both queues exist.
 * Expired actives are swept at least as often as they expire, so a crashed worker's job is retried
 * within about twice the expiry.
 */
export async function startQueue(opts: QueueOptions): Promise<Queue> {
  const boss = new PgBoss({
    connectionString: opts.databaseUrl,
    max: opts.poolMax ?? 3,
    application_name: "belfoot-img-queue",
    maintenanceIntervalSeconds: Math.max(1, Math.min(120, Math.floor(opts.expireSeconds / 2))),
    schedule: false,
  });
  // pg-boss reports maintenance errors (a database restart) as events; without a listener they would throw.
  boss.on("error", () => {});
  await boss.start();
  const retryLimit = opts.attempts;
  await createQueue(boss, CONVERT_QUEUE, {
    name: CONVERT_QUEUE,
    // One delivery more than the attempts: the worker marks a job that comes back past its attempts as
    // failed, so a job whose converter died on its last attempt still ends `failed`, not `active`.
    retryLimit,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: opts.expireSeconds,
  });
  await createQueue(boss, CALLBACK_QUEUE, {
    name: CALLBACK_QUEUE,
    retryLimit: 6,
    retryDelay: 5,
    retryBackoff: true,
    expireInSeconds: 60,
  });
  return boss;
}

/** SQLSTATE of a transaction PostgreSQL cancelled to break a deadlock: it may simply run again. */
const DEADLOCK_DETECTED = "40P01";
const CREATE_ATTEMPTS = 5;

/**
 * boss.createQueue, run again when PostgreSQL cancelled it to break a deadlock: services starting at
 * once on a fresh database (compose, the launcher) create the same queues together, and pg-boss's
 * create_queue then deadlocks every time, which failed one service's start.
 */
async function createQueue(boss: PgBoss, name: string, options: PgBoss.Queue): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name, options);
      return;
    } catch (error) {
      if (attempt >= CREATE_ATTEMPTS || (error as { code?: unknown }).code !== DEADLOCK_DETECTED) throw error;
    }
  }
}

/**
 * pg-boss passes json parameters already serialised and unset ones as undefined; postgres.js would
 * serialise the json again (it types parameters from the server's description) and refuses
 * undefined. So json text goes in parsed, and undefined as null, as pg (pg-boss's own driver) sends them.
 */
function asPostgresJsValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "string" && (value.startsWith("[") || value.startsWith("{"))) return JSON.parse(value);
  return value;
}

/** pg-boss's `db` option over a postgres.js transaction, so its rows commit (or not) with ours. */
export function inTransaction(tx: Sql) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: await tx.unsafe(text, (values ?? []).map(asPostgresJsValue) as never[]),
    }),
  };
}
