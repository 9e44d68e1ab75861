export { buildGatewayApp, type GatewayDeps } from "./app";
