import { Agent } from "undici";
import { type Answer, http as plainHttp } from "../../support/http";

export type Client = (
  url: string,
  opts?: { method?: string; json?: unknown; headers?: Record<string, string> },
) => Promise<Answer>;

/**
 * Requests from another loopback address (127.0.0.0/8 is all local on Linux): nginx keys its limits
 * on the peer address, so each test gets a bucket of its own, and a test can be two clients.
 */
export function clientFrom(localAddress: string): { http: Client; close(): Promise<void> } {
  const agent = new Agent({ localAddress });
  const http: Client = (url, opts = {}) => plainHttp(url, { ...opts, dispatcher: agent });
  return { http, close: () => agent.close() };
}
