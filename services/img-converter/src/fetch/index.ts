export { parsePolicyAllowList } from "./allow-list";
export type { NotModified, SourceValidators } from "./conditional";
export { parseAllowedPorts } from "./destination-rules";
export { createSourceFetcher, type SourceFetcher } from "./fetch-source";
export type { FetchedSource, FetchPolicy } from "./policy";
export { createWebhookPoster, type WebhookPoster } from "./post-webhook";
export { createTargetChecker, type TargetChecker } from "./target-check";
