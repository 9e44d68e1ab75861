import type { ServiceProcess } from "./spawn-service";

/** Poll GET url until it answers 200; fail early if the process dies, or after `timeoutMs`. */
export async function waitHealthy(service: ServiceProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void service.exited.then(() => {
    died = true;
  });
  while (Date.now() < deadline) {
    if (died)
      throw new Error(`${service.name} exited before it was healthy (code ${service.child.exitCode})`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${service.name} was not healthy at ${url} within ${timeoutMs} ms`);
}
