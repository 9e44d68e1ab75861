import { accessSync, constants } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project's nginx config: what compose mounts into the official image, used unchanged. */
export const NGINX_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../nginx");
export const NGINX_TEMPLATE = "templates/belfoot.conf.template";
/** The variables the template takes, and the only ones substituted. */
export const TEMPLATE_VARIABLES = ["ADMIN_AUTH_UPSTREAM", "NGINX_PORT"] as const;
export type TemplateVariables = Record<(typeof TEMPLATE_VARIABLES)[number], string>;

/** How to get nginx, said once wherever it is missing. */
export const NGINX_INSTALL_HINT = "install nginx to run it in front (Debian: apt-get install nginx-light)";

/** The nginx executable: NGINX_BIN, Debian's /usr/sbin/nginx, else the first one on PATH; undefined if none. */
export function findNginx(nginxBin: string | undefined, searchPath = process.env.PATH): string | undefined {
  const fromPath = (searchPath ?? "").split(path.delimiter).filter(Boolean);
  const candidates = nginxBin
    ? [nginxBin]
    : ["/usr/sbin/nginx", ...fromPath.map((dir) => path.join(dir, "nginx")), "/usr/local/nginx/sbin/nginx"];
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * What the official image's entrypoint does: envsubst over the template, `$NAME` and `${NAME}` alike,
 * for the given variables only. A template that names any other upper-case variable is refused: in
 * the image envsubst would replace it with whatever the container's environment holds (PATH, HOME…).
 */
export function renderTemplate(template: string, vars: TemplateVariables): string {
  const values: Record<string, string> = vars;
  const rendered = template.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      return Object.hasOwn(values, name) ? (values[name] as string) : whole;
    },
  );
  const stray = /\$\{?([A-Z][A-Z0-9_]*)/.exec(rendered);
  if (stray) {
    throw new Error(`${NGINX_TEMPLATE} uses $${stray[1]}, which the nginx image's envsubst would replace`);
  }
  return rendered;
}

/** nginx.conf and the template, as in the repository. */
export async function readNginxConfig(): Promise<{ mainConf: string; template: string }> {
  const [mainConf, template] = await Promise.all([
    readFile(path.join(NGINX_DIR, "nginx.conf"), "utf8"),
    readFile(path.join(NGINX_DIR, NGINX_TEMPLATE), "utf8"),
  ]);
  return { mainConf, template };
}
