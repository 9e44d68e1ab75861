export { type EmbeddedOptions, type EmbeddedPostgresServer, freePort, startEmbeddedPostgres } from "./start";
