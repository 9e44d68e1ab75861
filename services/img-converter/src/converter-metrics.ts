import type { CompressResult } from "@belfoot/engine";
import { isAppError } from "@belfoot/errors";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CompressionQueue } from "./compression-queue";

/** What the converter reports about its own work, beside the per-route HTTP metrics. */
export function converterMetrics(registry: Registry, queue: CompressionQueue) {
  const registers = [registry];
  const compressSeconds = new Histogram({
    name: "belfoot_compress_seconds",
    help: "Time to compress one image (probe, prepare, encodes)",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
    registers,
  });
  const encodes = new Histogram({
    name: "belfoot_compress_encodes",
    help: "JPEG encodes made per image",
    buckets: [0, 1, 2, 3, 4, 6, 8, 12],
    registers,
  });
  const sourceBytes = new Counter({
    name: "belfoot_source_bytes_total",
    help: "Source bytes compressed",
    registers,
  });
  const outputBytes = new Counter({
    name: "belfoot_output_bytes_total",
    help: "JPEG bytes stored",
    registers,
  });
  const savedBytes = new Counter({
    name: "belfoot_saved_bytes_total",
    help: "Source bytes minus stored bytes",
    registers,
  });
  const fetchFailures = new Counter({
    name: "belfoot_fetch_failures_total",
    help: "Source fetches refused or failed, by reason",
    labelNames: ["reason"],
    registers,
  });
  new Gauge({
    name: "belfoot_compress_queue_depth",
    help: "Images being compressed, waiting for a slot, or downloading their source with a place held",
    labelNames: ["state"],
    registers,
    collect() {
      this.set({ state: "active" }, queue.active);
      this.set({ state: "waiting" }, queue.waiting);
      this.set({ state: "fetching" }, queue.preparing);
    },
  });
  new Gauge({
    name: "belfoot_compress_pixels",
    help: "Decoded pixels (source header width x height) of the images being compressed or waiting for a slot",
    labelNames: ["state"],
    registers,
    collect() {
      this.set({ state: "active" }, queue.activePixels);
      this.set({ state: "waiting" }, queue.waitingPixels);
    },
  });
  const refusals = new Counter({
    name: "belfoot_admission_refusals_total",
    help: "Requests turned away on arrival: busy (every place held) or account_share (the account holds its share)",
    labelNames: ["reason"],
    registers,
  });

  const unchangedSources = new Counter({
    name: "belfoot_unchanged_sources_total",
    help: "Repeat conversions whose source had not changed (304 or identical bytes): kept without decoding or encoding",
    labelNames: ["by"],
    registers,
  });

  return {
    unchanged(by: "not_modified" | "same_bytes") {
      unchangedSources.inc({ by });
    },
    refused(err: unknown) {
      const code = isAppError(err) ? err.code : "internal_error";
      refusals.inc({ reason: code === "too_many_conversions" ? "account_share" : code });
    },
    compressed(result: CompressResult) {
      compressSeconds.observe(result.timings.totalMs / 1000);
      encodes.observe(result.encodes);
      sourceBytes.inc(result.source.bytes);
      outputBytes.inc(result.jpeg.length);
      savedBytes.inc(Math.max(0, result.source.bytes - result.jpeg.length));
    },
    fetchFailed(err: unknown) {
      fetchFailures.inc({ reason: isAppError(err) ? err.code : "internal_error" });
    },
  };
}

export type ConverterMetrics = ReturnType<typeof converterMetrics>;
