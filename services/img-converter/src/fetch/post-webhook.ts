import { compileDestinationRules } from "./destination-rules";
import { createAgent } from "./fetch-source";
import { checkUrl } from "./url-check";

export interface WebhookPoster {
  /** POSTs the body to the URL through the fetch guard; resolves with the receiver's status. Redirects are not followed. */
  post(url: string, body: string, headers: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export interface WebhookPolicy {
  /** ALLOW_PRIVATE_CALLBACKS entries (same syntax as ALLOW_PRIVATE_SOURCES). */
  allowPrivate: string[];
  allowedPorts: number[];
  timeoutMs: number;
}

/** Body bytes read from a receiver's answer: only its status matters. */
const DISCARD_LIMIT = 16 * 1024;

/**
 * Webhook deliveries go out through the same guard as source fetches (literal addresses checked
 * before connecting, every resolved address at connect time), with their own allow-list.
 */
export function createWebhookPoster(policy: WebhookPolicy): WebhookPoster {
  const rules = compileDestinationRules(policy.allowPrivate, policy.allowedPorts);
  const agent = createAgent(
    {
      maxBytes: DISCARD_LIMIT,
      connectTimeoutMs: Math.min(5_000, policy.timeoutMs),
      headersTimeoutMs: policy.timeoutMs,
      totalTimeoutMs: policy.timeoutMs,
      maxRedirects: 0,
      allowPrivate: policy.allowPrivate,
      allowedPorts: policy.allowedPorts,
    },
    rules,
  );
  return {
    async post(url, body, headers) {
      const checked = checkUrl(url, rules);
      const res = await agent.request({
        origin: checked.url.origin,
        path: `${checked.url.pathname}${checked.url.search}`,
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "belfoot-img webhooks", ...headers },
        body,
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      await res.body.dump({ limit: DISCARD_LIMIT });
      return res.statusCode;
    },
    close: () => agent.close(),
  };
}
