import { type Static, Type } from "typebox";

const Int = (def: number, min = 0, description?: string) =>
  Type.Integer({ default: def, minimum: min, ...(description ? { description } : {}) });

/**
 * Every environment variable the project reads, with its default: the single source of truth.
 * `.env.example` and the table in docs/configuration.md describe the same list (a test holds them to it).
 */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal("development"), Type.Literal("production"), Type.Literal("test")], {
    default: "development",
  }),
  LOG_LEVEL: Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
    { default: "info" },
  ),
  DATA_DIR: Type.String({ default: "./data", minLength: 1 }),
  LOG_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
  DATABASE_POOL_MAX: Int(10, 1),

  HOST: Type.String({ default: "127.0.0.1" }),
  /**
   * The proxy in front of the gateway whose X-Forwarded-For it believes (client addresses for the login
   * limits), in proxy-addr syntax. Empty: nobody, the peer is the client (nothing fronts `pnpm start`).
   */
  TRUST_PROXY: Type.String({ default: "" }),
  PORT: Int(8080, 0),
  /** Both services: a request's headers, and the whole request, must arrive within these (else 408/closed). */
  HTTP_HEADERS_TIMEOUT_MS: Int(10_000, 1),
  HTTP_REQUEST_TIMEOUT_MS: Int(120_000, 1),
  /** A kept-alive connection idle this long is closed; above nginx's upstream keepalive_timeout (60 s). */
  HTTP_IDLE_TIMEOUT_MS: Int(72_000, 1),
  /** `pnpm start` runs nginx in front when it finds this binary (else /usr/sbin/nginx, else PATH)... */
  NGINX_BIN: Type.Optional(Type.String({ minLength: 1 })),
  /** ...on PORT, with admin-auth behind it on this loopback port. */
  GATEWAY_INTERNAL_PORT: Int(8082, 0),
  CONVERTER_HOST: Type.String({ default: "127.0.0.1" }),
  CONVERTER_PORT: Int(8081, 0),
  CONVERTER_URL: Type.String({ default: "http://127.0.0.1:8081", pattern: "^https?://" }),
  /** Prometheus metrics, apart from the public port: METRICS_PORT admin-auth's, 0 none. */
  METRICS_HOST: Type.String({ default: "127.0.0.1" }),
  METRICS_PORT: Int(9464, 0),
  CONVERTER_METRICS_PORT: Int(9465, 0),

  /** Given secrets are checked in load.ts (length in bytes, no placeholder), with a message that says how to fix. */
  INTERNAL_TOKEN: Type.Optional(Type.String()),
  JWT_SECRET: Type.Optional(Type.String()),
  /** Signs public image links (GET /articles/:id/link); the previous key still verifies until removed. */
  LINK_SIGNING_KEY: Type.Optional(Type.String()),
  LINK_SIGNING_KEY_PREVIOUS: Type.Optional(Type.String()),
  /** Longest life a signed link may be given, in seconds (default 7 days). */
  LINK_MAX_TTL_S: Int(7 * 86_400, 1),
  JWT_TTL: Type.String({ default: "1h", pattern: "^[0-9]+[smhd]?$" }),
  ADMIN_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** Seconds a name + password argon2 accepted is recognised again without argon2; 0: never. */
  CREDENTIAL_CACHE_SECONDS: Int(60, 0),
  REGISTRATION: Type.Union([Type.Literal("admin"), Type.Literal("open")], { default: "admin" }),
  /** Consecutive failures for one name from one address before each further one adds a delay. */
  LOGIN_DELAY_AFTER_FAILURES: Int(3, 1),
  /** The delay doubles from 1 s with each failure up to this many seconds. */
  LOGIN_DELAY_MAX_S: Int(900, 1),
  /** Failed logins from one address (any names) in LOGIN_FAILURE_WINDOW_S, then 429 (password spraying). */
  LOGIN_FAILURES_PER_IP: Int(50, 1),
  LOGIN_FAILURE_WINDOW_S: Int(900, 1),

  MAX_OUTPUT_BYTES: Int(184_320, 1024),
  MAX_SOURCE_BYTES: Int(25 * 1024 * 1024, 1),
  LIMIT_INPUT_PIXELS: Int(50_000_000, 1),
  /** Output width x height at most this: 4096 x 4096 (docs/decisions/0141-stored-images-private-and-capped.md). */
  MAX_OUTPUT_PIXELS: Int(4096 * 4096, 256),
  UPLOAD_BODY_LIMIT_BYTES: Int(30 * 1024 * 1024, 1024),
  /** POST /img uploads admin-auth receives and decodes at once; beyond, 503 + Retry-After, body unread. */
  UPLOADS_AT_ONCE: Int(4, 1),
  COMPRESS_CONCURRENCY: Int(2, 1),
  /** Images allowed to wait for a compression slot; beyond, 503 + Retry-After instead of unbounded memory. */
  COMPRESS_QUEUE_MAX: Int(16, 0),
  /** Places (running + waiting) one account may hold; unset: half of all places. Beyond, 429. */
  COMPRESS_PLACES_PER_ACCOUNT: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Decoded pixels (header width × height) compressed at once; a larger image runs alone. */
  COMPRESS_PIXEL_BUDGET: Int(50_000_000, 1),

  FETCH_CONNECT_TIMEOUT_MS: Int(5_000, 1),
  FETCH_HEADERS_TIMEOUT_MS: Int(10_000, 1),
  FETCH_TOTAL_TIMEOUT_MS: Int(30_000, 1),
  FETCH_MAX_REDIRECTS: Int(5, 0),
  /** A source body slower than this over any FETCH_SLOW_GRACE_MS window is cut off (504); 0: off. */
  FETCH_MIN_BYTES_PER_S: Int(16_384, 0),
  FETCH_SLOW_GRACE_MS: Int(5_000, 1),
  ALLOW_PRIVATE_SOURCES: Type.String({ default: "" }),
  /** Ports a public source may be fetched on; allow-listed private sources use any port. */
  ALLOWED_SOURCE_PORTS: Type.String({ default: "80,443", pattern: "^\\s*\\d{1,5}(\\s*,\\s*\\d{1,5})*\\s*$" }),

  /** Seconds a queued job may stay active before another converter takes it over (its converter died). */
  JOB_EXPIRE_SECONDS: Int(300, 10),
  /** Deliveries of a queued job before it fails for good (faults only: a bad source fails at once). */
  JOB_ATTEMPTS: Int(3, 1),
  BATCH_MAX_ITEMS: Int(1000, 1),
  /** Queued or active jobs one account may have; beyond, 429 + Retry-After. */
  MAX_QUEUED_PER_USER: Int(5000, 1),
  /** Standard Webhooks signing secret (whsec_ + base64); generated under DATA_DIR when unset. */
  WEBHOOK_SECRET: Type.Optional(Type.String({ pattern: "^whsec_[A-Za-z0-9+/=]{24,}$" })),
  ALLOW_PRIVATE_CALLBACKS: Type.String({ default: "" }),

  IMAGE_CACHE_MAX_AGE: Int(3600, 0),
  /** Bytes of recently read images admin-auth keeps in memory (keyed by sha256, never stale); 0: none. */
  IMAGE_MEMORY_CACHE_BYTES: Int(64 * 1024 * 1024, 0),
});

export type RawConfig = Static<typeof ConfigSchema>;
