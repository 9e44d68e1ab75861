import postgres from "postgres";

export type Sql = postgres.Sql;

export interface ConnectOptions {
  /** Pool size. */
  max?: number;
  /** Seconds to wait for a connection before failing the query (a DB restart surfaces as an error, not a hang). */
  connectTimeout?: number;
}

/** A postgres.js pool. Columns come back camelCased; notices are not printed. */
export function connect(url: string, opts: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeout ?? 5,
    idle_timeout: 30,
    transform: postgres.camel,
    onnotice: () => {},
    connection: { application_name: "belfoot-img" },
  });
}
