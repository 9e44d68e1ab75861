export { admission } from "./admission";
export { clientGone } from "./client-gone";
export { classifyDatabaseFault } from "./database";
export { type HealthOptions, healthRoutes } from "./health";
export { jsonOnly } from "./json-only";
export {
  /** @internal runService starts it; the test stack starts its own. */
  listenMetrics,
  metrics,
} from "./metrics";
export { errorReplies, statusReply } from "./reply-schemas";
export { requestId } from "./request-id";
export { type RequestLogLevel, requestLog } from "./request-log";
export { type RunServiceOptions, runService, type ServiceDeps } from "./run-service";
export { serverOptions, timeoutOptions } from "./server-options";
export { limitedTickets, type Ticket } from "./tickets";
