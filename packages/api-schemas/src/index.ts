export { ARTICLE_ID_PARAM_MAX_LENGTH, ArticleId } from "./article-id";
export { describeImage, type ImageJson, ImageJsonSchema } from "./image-json";
export { ImageReply, StoredImageReply } from "./image-replies";
export { describeJob, JobError, type JobJson, JobJsonSchema, JobState } from "./job-json";
