import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { readNginxConfig, renderTemplate } from "./nginx-files";
import type { ServiceProcess } from "./spawn-service";

export interface NginxPrefix {
  binary: string;
  /** The prefix directory: the rendered config, temp files and the image cache (derived, deletable). */
  dir: string;
}

const STDOUT_ACCESS_LOG = "access_log /dev/stdout belfoot;";

/**
 * The repository's nginx.conf and template, rendered for admin-auth at `upstream` and `listen`, into
 * `dir` (rewritten at every start, so it always matches the repository). The access log goes to
 * `accessLog`: nginx cannot open /dev/stdout when our stdout is a socket (a supervisor's pipe).
 */
export async function writeNginxPrefix(
  binary: string,
  dir: string,
  { upstream, listen, accessLog }: { upstream: string; listen: string; accessLog: string },
) {
  const { mainConf, template } = await readNginxConfig();
  if (!mainConf.includes(STDOUT_ACCESS_LOG))
    throw new Error(`nginx.conf no longer has "${STDOUT_ACCESS_LOG}"`);
  await mkdir(path.join(dir, "conf.d"), { recursive: true });
  await mkdir(path.dirname(accessLog), { recursive: true });
  await writeFile(
    path.join(dir, "nginx.conf"),
    mainConf.replace(STDOUT_ACCESS_LOG, `access_log ${accessLog} belfoot;`),
  );
  await writeFile(
    path.join(dir, "conf.d/belfoot.conf"),
    renderTemplate(template, { ADMIN_AUTH_UPSTREAM: upstream, NGINX_PORT: listen }),
  );
  return { binary, dir };
}

/** nginx in the foreground on a prefix; its warnings and errors join the services' lines on stderr. */
export function spawnNginx({ binary, dir }: NginxPrefix): ServiceProcess {
  const globals = [
    "daemon off;",
    `pid ${path.join(dir, "nginx.pid")};`,
    // Started as root, nginx hands its workers to `nobody`, who cannot write the cache under DATA_DIR.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
  ].join(" ");
  const child = spawn(binary, ["-p", `${dir}/`, "-c", path.join(dir, "nginx.conf"), "-g", globals], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  return {
    name: "nginx",
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // QUIT: finish the requests in flight; TERM (nginx's fast stop, workers included) if that hangs.
      child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGTERM"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
