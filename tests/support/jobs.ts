import { http } from "./http";

export type JobJson = Record<string, unknown> & { state?: string; attempts?: number };

/** Poll GET /jobs/:id until the job is finished (completed or failed) or the deadline passes. */
export async function waitForJob(
  base: string,
  jobId: string,
  headers: Record<string, string>,
  timeoutMs = 45_000,
): Promise<JobJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http(`${base}/jobs/${jobId}`, { headers });
    if (res.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${res.status}`);
    const job = res.json as JobJson;
    if (job.state === "completed" || job.state === "failed") return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} at the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
