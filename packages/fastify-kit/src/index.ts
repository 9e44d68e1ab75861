export { admission, limitedTickets, type Ticket } from "./admission";
export { classifyDatabaseFault, DATABASE_RETRY_AFTER_SECONDS } from "./database";
export { type HealthOptions, healthRoutes } from "./health";
export { describeImage, type ImageJson } from "./image-json";
export { metrics } from "./metrics";
export {
  ErrorReply,
  errorReplies,
  HealthReply,
  ImageJsonSchema,
  ImageReply,
  ReadyReply,
  statusReply,
} from "./reply-schemas";
export { requestId } from "./request-id";
export { type RunServiceOptions, runService, type ServiceDeps } from "./run-service";
export { ARTICLE_ID_MAX_LENGTH, ArticleId } from "./schemas";
export { serverOptions } from "./server-options";
