export { ARTICLE_ID_PARAM_MAX_LENGTH, ArticleId } from "./article-id";
