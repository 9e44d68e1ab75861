import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { accepts, freePort } from "@belfoot/testkit";
import {
  findNginx,
  NGINX_INSTALL_HINT,
  readNginxConfig,
  renderTemplate,
} from "../../services/launcher/src/nginx-files";

export { NGINX_DIR, renderTemplate } from "../../services/launcher/src/nginx-files";

const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

/** Whether the nginx suites can run; without nginx they are reported as skipped (global-setup says why, once). */
export const nginxInstalled = findNginx(process.env.NGINX_BIN) !== undefined;

/** The nginx executable (NGINX_BIN, /usr/sbin/nginx, PATH); throws with the install hint when there is none. */
export function nginxBinary(): string {
  const found = findNginx(process.env.NGINX_BIN);
  if (!found) throw new Error(`nginx not installed: ${NGINX_INSTALL_HINT}`);
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RunningNginx {
  /** The port nginx listens on, on 127.0.0.1 only. */
  port: number;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The prefix directory: nginx.conf, conf.d/belfoot.conf, logs, temp files. Removed by stop(). */
  dir: string;
  /** The access log (JSON lines; nginx.conf sends it to stdout) and the error log, as written so far. */
  logs(): Promise<{ access: string; error: string }>;
  /** Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL; resolves once nginx has exited. Idempotent. */
  stop(): Promise<void>;
}

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

export interface StartNginxOptions {
  /** admin-auth's "127.0.0.1:PORT". */
  upstream: string;
  /**
   * Extra config appended after the rendered template (inside http {}), given what `listen` takes.
   * For benchmarks' own server blocks only: what the tests check is the production config alone.
   */
  extra?: (listen: string) => string;
}

/**
 * The real nginx binary running the project's own nginx.conf and template, rendered for `upstream`
 * ("127.0.0.1:PORT"), in a throw-away prefix under the OS temp directory, on a free loopback port.
 */
export async function startNginx(opts: StartNginxOptions): Promise<RunningNginx> {
  const binary = nginxBinary();
  const { mainConf, template } = await readConfig();
  // Another process can take the port between freePort() and nginx's bind(): try a fresh one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(binary, mainConf, template, opts);
    } catch (err) {
      if (!(err instanceof StartError && err.addressInUse && attempt < 3)) throw err;
    }
  }
}

const readConfig = readNginxConfig;

/** A throw-away prefix: nginx.conf as is, the template rendered into conf.d/belfoot.conf. */
async function writePrefix(mainConf: string, template: string, opts: StartNginxOptions, listen: string) {
  const rendered = renderTemplate(template, { ADMIN_AUTH_UPSTREAM: opts.upstream, NGINX_PORT: listen });
  const server = opts.extra ? `${rendered}\n${opts.extra(listen)}\n` : rendered;
  const dir = await mkdtemp(path.join(tmpdir(), "belfoot-nginx-"));
  await mkdir(path.join(dir, "conf.d"));
  await writeFile(path.join(dir, "nginx.conf"), mainConf);
  await writeFile(path.join(dir, "conf.d/belfoot.conf"), server);
  return dir;
}

/**
 * `nginx -t` on the project's config rendered as startNginx would: what a deployment runs before a
 * reload. Resolves with nginx's exit code and what it printed (it reports on stderr).
 */
export async function testNginxConfig(opts: StartNginxOptions): Promise<{ code: number; output: string }> {
  const binary = nginxBinary();
  const { mainConf, template } = await readConfig();
  const dir = await writePrefix(mainConf, template, opts, `127.0.0.1:${await freePort()}`);
  const globals = `pid ${path.join(dir, "nginx.pid")}; error_log ${path.join(dir, "error.log")} warn;`;
  // A file for stdout, as in launch(): nginx -t opens the access log, /dev/stdout, which fails
  // (ENXIO) when stdout is the socket Node gives a child for a pipe.
  const stdout = openSync(path.join(dir, "stdout.log"), "a");
  try {
    return await new Promise((resolve, reject) => {
      const args = ["-t", "-p", `${dir}/`, "-c", path.join(dir, "nginx.conf"), "-g", globals];
      const child = spawn(binary, args, { stdio: ["ignore", stdout, "pipe"] });
      let output = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk;
      });
      child.once("error", reject);
      child.once("close", (code) => resolve({ code: code ?? -1, output }));
    });
  } finally {
    closeSync(stdout);
    await rm(dir, { recursive: true, force: true });
  }
}

async function launch(
  binary: string,
  mainConf: string,
  template: string,
  opts: StartNginxOptions,
): Promise<RunningNginx> {
  const port = await freePort();
  // An address:port is valid for `listen`: tests keep nginx on loopback.
  const listen = `127.0.0.1:${port}`;
  const dir = await writePrefix(mainConf, template, opts, listen);
  const file = (name: string) => path.join(dir, name);

  const globals = [
    "daemon off;",
    `pid ${file("nginx.pid")};`,
    `error_log ${file("error.log")} warn;`,
    // Run as root, nginx hands its workers to `nobody`, who cannot enter this 0700 temp prefix (and
    // so could not spool a large request body): keep them as root, for tests only.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
  ].join(" ");
  // stdout (the access log) and stderr go to files, not pipes: an unread pipe would fill up and stall
  // nginx's workers in the middle of a test.
  const stdout = openSync(file("access.log"), "a");
  const stderr = openSync(file("stderr.log"), "a");
  let child: ChildProcess;
  try {
    child = spawn(binary, ["-p", `${dir}/`, "-c", file("nginx.conf"), "-g", globals], {
      stdio: ["ignore", stdout, stderr],
    });
  } finally {
    closeSync(stdout);
    closeSync(stderr);
  }
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    // A process that could not be spawned never exits: settle on its error instead.
    child.once("error", (err) => {
      spawnError = err;
      resolve();
    });
  });
  // If the test process dies without calling stop(), do not leave nginx holding the port. TERM, not
  // KILL: the master then takes its workers down with it.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);

  const running = () => !spawnError && child.exitCode === null && child.signalCode === null;
  const readLog = (name: string) => readFile(file(name), "utf8").catch(() => "");
  const signal = async (name: NodeJS.Signals, ms: number) => {
    if (!running()) return;
    child.kill(name);
    await Promise.race([exited, sleep(ms)]);
  };
  const fail = async (why: string): Promise<never> => {
    await signal("SIGTERM", 2_000);
    await signal("SIGKILL", 2_000);
    process.removeListener("exit", killOnExit);
    const log = [await readLog("error.log"), await readLog("stderr.log")].join("\n").trim();
    await rm(dir, { recursive: true, force: true });
    throw new StartError(
      `nginx did not start (${why}): ${binary} -p ${dir}/ -c ${file("nginx.conf")}\n${log || "(no log)"}`,
      /Address already in use/.test(log),
    );
  };

  // Ready = the master wrote its pid file (it has bound the port by then) and the port accepts. Both,
  // because a port that accepts might be another process's if nginx's own bind() failed.
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!running()) return fail(spawnError?.message ?? `exited with ${child.exitCode ?? child.signalCode}`);
    if (existsSync(file("nginx.pid")) && (await accepts(port)) && running()) break;
    if (Date.now() > deadline) return fail(`not accepting on 127.0.0.1:${port} after ${START_TIMEOUT_MS} ms`);
    await sleep(25);
  }

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    // QUIT lets in-flight requests finish; TERM is nginx's fast shutdown; KILL if all else fails.
    await signal("SIGQUIT", STOP_GRACE_MS);
    await signal("SIGTERM", 2_000);
    await signal("SIGKILL", 2_000);
    await exited;
    process.removeListener("exit", killOnExit);
    await rm(dir, { recursive: true, force: true });
  };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    logs: async () => ({ access: await readLog("access.log"), error: await readLog("error.log") }),
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}
