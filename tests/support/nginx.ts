import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@belfoot/pg-embedded";

const NGINX_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../nginx");

export function nginxBinary(): string {
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("nginx not installed: apt-get install nginx-light");
}

/** What the official image's entrypoint does with envsubst, for the variables our template uses. */
function render(template: string, vars: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export interface RunningNginx {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** The project's real nginx config, rendered for `upstream`, run by the real nginx binary. */
export async function startNginx(opts: { upstream: string }): Promise<RunningNginx> {
  const binary = nginxBinary();
  const prefix = await mkdtemp(path.join(tmpdir(), "belfoot-nginx-"));
  const port = await freePort();
  await mkdir(path.join(prefix, "conf.d"));
  await writeFile(path.join(prefix, "nginx.conf"), await readFile(path.join(NGINX_DIR, "nginx.conf")));
  const template = await readFile(path.join(NGINX_DIR, "templates/belfoot.conf.template"), "utf8");
  await writeFile(
    path.join(prefix, "conf.d/belfoot.conf"),
    render(template, { ADMIN_AUTH_UPSTREAM: opts.upstream, NGINX_PORT: `127.0.0.1:${port}` }),
  );
  const globals = [
    "daemon off;",
    "master_process on;",
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    // As root nginx would hand its workers to `nobody`, who cannot read this temp prefix.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
  ].join(" ");
  const child: ChildProcess = spawn(
    binary,
    ["-p", prefix, "-c", path.join(prefix, "nginx.conf"), "-g", globals],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(path.join(prefix, "error.log"), "utf8").catch(() => "");
      child.kill("SIGKILL");
      throw new Error(`nginx did not start: ${stderr}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      await rm(prefix, { recursive: true, force: true });
    },
  };
}
