import postgres from "postgres";

/** The channel the triggers of migration 0006 announce committed user and image changes on. */
const CHANNEL = "belfoot_changes";
const RETRY_MS = 500;

/** A committed change a cache must not outlive. */
export type Change =
  | { table: "users"; id: number; username: string }
  | { table: "images"; id: number; articleId: string | null; oldArticleId: string | null };

export interface ChangeHandlers {
  /** A user's credentials or an image changed (or went). */
  onChange(change: Change): void;
  /** Changes may have been missed (the listening connection went): forget everything derived. */
  onLost(): void;
}

function parseChange(payload: string): Change | undefined {
  try {
    const raw = JSON.parse(payload) as Record<string, unknown>;
    if (raw.table === "users" && typeof raw.username === "string") {
      return { table: "users", id: Number(raw.id), username: raw.username };
    }
    if (raw.table === "images") {
      const text = (value: unknown) => (typeof value === "string" ? value : null);
      return {
        table: "images",
        id: Number(raw.id),
        articleId: text(raw.article_id),
        oldArticleId: text(raw.old_article_id),
      };
    }
  } catch {}
  return undefined;
}

/**
 * LISTENs for committed changes on a connection of its own. `live` is true only while that
 * connection is listening: a cache may be trusted only then. When the connection goes (database
 * restart, a terminated backend) the handlers hear onLost at once, and it listens again every
 * 500 ms until it can. postgres.js's own `sql.listen` re-listens once after a loss and gives up for
 * good if that fails, and tells nobody in between, hence this small loop.
 */
export class ChangeFeed {
  readonly #sql: postgres.Sql;
  readonly #handlers: ChangeHandlers;
  #live = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #everLost = false;

  constructor(url: string, handlers: ChangeHandlers) {
    this.#handlers = handlers;
    this.#sql = postgres(url, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      connect_timeout: 5,
      onnotice: () => {},
      connection: { application_name: "belfoot-img-changes" },
      onclose: () => this.#lost(),
      // Not in postgres.js's typings, but what its own listen() uses: NotificationResponse messages.
      onnotify: (channel: string, payload: string) => {
        if (channel !== CHANNEL) return;
        const change = parseChange(payload);
        // A payload we cannot read is a change we cannot place: forget everything.
        if (change) this.#handlers.onChange(change);
        else this.#handlers.onLost();
      },
    } as postgres.Options<Record<string, never>>);
  }

  /** True while changes are being heard. */
  get live(): boolean {
    return this.#live;
  }

  /** Start listening; if the database cannot be reached now, keep trying in the background. */
  async start(): Promise<void> {
    await this.#listen();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    clearTimeout(this.#retry);
    await this.#sql.end({ timeout: 1 });
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#sql.unsafe(`listen ${CHANNEL}`);
      if (this.#closed) return;
      this.#live = true;
      // What was read from the database while nobody listened may have changed unheard: start clean.
      if (this.#everLost) this.#handlers.onLost();
    } catch {
      this.#schedule();
    }
  }

  #lost(): void {
    const wasLive = this.#live;
    this.#live = false;
    if (this.#closed) return;
    this.#everLost = true;
    if (wasLive) this.#handlers.onLost();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#listen();
    }, RETRY_MS);
    this.#retry.unref();
  }
}
