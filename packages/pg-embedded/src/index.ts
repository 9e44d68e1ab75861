export {
  type EmbeddedOptions,
  type EmbeddedPostgresServer,
  freePort,
  SUPERUSER,
  startEmbeddedPostgres,
  UnreachableDataDirError,
} from "./start";
