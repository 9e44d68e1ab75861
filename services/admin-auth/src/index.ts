/** @internal the test stack builds the service in-process; production runs src/main.ts. */
export { buildGatewayApp, type GatewayDeps } from "./app";
