export { type AppDatabase, adoptPublicRelations, provisionAppDatabase, setRolePassword } from "./cluster";
export { type ConnectOptions, connect, type Sql } from "./connect";
export { databaseReady } from "./health";
export {
  deleteImage,
  findArticleOwner,
  findImageByArticle,
  findImageById,
  findImageMetaByArticle,
  findImageMetaById,
  type ImageMeta,
  type ImageWithData,
  type NewImage,
  type SavedImage,
  type SaveOptions,
  saveImage,
} from "./images";
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
