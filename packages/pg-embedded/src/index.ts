export { type BlockingDirectory, firstBlockingAncestor, postgresUserIds, type UserIds } from "./reachable";
export {
  type EmbeddedOptions,
  type EmbeddedPostgresServer,
  freePort,
  SUPERUSER,
  startEmbeddedPostgres,
  UnreachableDataDirError,
} from "./start";
