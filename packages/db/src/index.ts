export { type Change, ChangeFeed, type ChangeHandlers } from "./change-feed";
export { type AppDatabase, adoptPublicRelations, provisionAppDatabase, setRolePassword } from "./cluster";
export { type ConnectOptions, connect, type Sql } from "./connect";
export { databaseReady } from "./health";
export {
  claimIdempotencyKey,
  type KeyClaim,
  releaseIdempotencyKey,
  type StoredAnswer,
  saveIdempotentAnswer,
} from "./idempotency";
export {
  deleteImage,
  findArticleOwner,
  findArticlesTakenFrom,
  findImageByArticle,
  findImageById,
  findImageMetaByArticle,
  findImageMetaById,
  findStoredSource,
  type ImageMeta,
  type ImageWithData,
  type NewImage,
  type SavedImage,
  type SaveOptions,
  type SourceValidators,
  type StoredSource,
  saveImage,
} from "./images";
export { type ImagePage, type ImagePageQuery, listArticleImages, type PagePosition } from "./images-page";
export {
  type ConversionJob,
  countConversionJobs,
  type EnqueueResult,
  enqueueConversions,
  findConversionJob,
  finishConversionJob,
  type JobError,
  type JobOutcome,
  type JobRequest,
  type JobState,
  requeueConversionJob,
  startConversionJob,
} from "./jobs/conversion-jobs";
export {
  CALLBACK_QUEUE,
  CONVERT_QUEUE,
  CONVERT_QUEUED_CHANNEL,
  type Queue,
  type QueueOptions,
  startQueue,
} from "./jobs/queue";
export { linkAnswerLastSecond, linkAnswersLapsed } from "./link-answers";
export { migrate } from "./migrate";
export { isDatabaseUnavailable } from "./unavailable";
export {
  createUser,
  findUserById,
  findUserByName,
  listUsers,
  type Role,
  removeUser,
  setUserPassword,
  type UserRecord,
  upsertAdmin,
} from "./users";
