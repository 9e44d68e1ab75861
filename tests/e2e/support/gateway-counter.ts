/**
 * How many requests admin-auth answered on `route` (any method and status), from its own Prometheus
 * counter, read on its metrics listener: what it says it saw, independent of nginx.
 */
export async function answeredOn(metricsUrl: string, route: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("belfoot_http_requests_total{") && line.includes(`route="${route}"`)) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

/** The counter moves once a reply is flushed, which can be just after the client has it. */
export async function settledCount(metricsUrl: string, route: string, atLeast: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const n = await answeredOn(metricsUrl, route);
    if (n >= atLeast) return n;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return answeredOn(metricsUrl, route);
}
