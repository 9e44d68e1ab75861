export { parsePolicyAllowList } from "./allow-list";
export { createSourceFetcher, type SourceFetcher } from "./fetch-source";
export type { FetchedSource, FetchPolicy } from "./policy";
