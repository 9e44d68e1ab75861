export { buildConverterApp, type ConverterDeps } from "./app";
export { INTERNAL_TOKEN_HEADER } from "./plugins/internal-token";
