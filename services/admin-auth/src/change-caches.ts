import { ChangeFeed } from "@belfoot/db";
import type { FastifyBaseLogger } from "fastify";
import { Counter, type Registry } from "prom-client";
import { CredentialCache } from "./auth/credential-cache";
import { ImageMetaCache } from "./image-meta-cache";

export interface ChangeCachesOptions {
  /** Where the change feed listens; without it nothing is cached (nothing would invalidate it). */
  databaseUrl: string | undefined;
  credentialTtlSeconds: number;
  metrics: Registry;
  log: FastifyBaseLogger;
}

/** Names and image rows remembered at most, each: bounded memory whatever the traffic. */
const MAX_ENTRIES = 10_000;

/**
 * The gateway's caches of database rows (verified credentials, image metadata) and the change feed
 * that keeps them true: a committed change reaches every gateway process through PostgreSQL
 * LISTEN/NOTIFY and drops what it voids; while the feed is not listening, neither cache is used.
 */
export async function startChangeCaches(opts: ChangeCachesOptions) {
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [opts.metrics] });
  const credentialHits = counter(
    "belfoot_credential_cache_hits_total",
    "Passwords recognised from the verified-credentials cache, without argon2",
  );
  const tokenUserHits = counter(
    "belfoot_token_user_cache_hits_total",
    "Bearer tokens whose user came from the cache, without a database round trip",
  );
  const metaHits = counter(
    "belfoot_image_meta_cache_hits_total",
    "Image reads whose metadata came from the cache, without a database round trip",
  );
  let feed: ChangeFeed | undefined;
  const isLive = () => feed?.live ?? false;
  const credentials = new CredentialCache({
    ttlMs: opts.credentialTtlSeconds * 1000,
    maxEntries: MAX_ENTRIES,
    isLive,
    countHit: () => credentialHits.inc(),
    countUserHit: () => tokenUserHits.inc(),
  });
  const imageMetas = new ImageMetaCache({ maxEntries: MAX_ENTRIES, isLive, countHit: () => metaHits.inc() });
  if (opts.databaseUrl) {
    feed = new ChangeFeed(opts.databaseUrl, {
      onChange: (change) => {
        if (change.table === "users") credentials.forgetUser(change);
        else imageMetas.forget(change);
      },
      onLost: () => {
        credentials.clear();
        imageMetas.clear();
        opts.log.warn("change feed lost or restarted: caches dropped");
      },
    });
    await feed.start();
  }
  return { credentials, imageMetas, close: async () => feed?.close() };
}

export type ChangeCaches = Awaited<ReturnType<typeof startChangeCaches>>;
