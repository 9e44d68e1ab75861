// A bench-only server block: the same nginx, on the same port, serving one JPEG from disk. It is
// chosen by its Host header, so the production server stays the default for every other request.
// Never part of nginx/templates: the published config serves nothing from disk.

export const STATIC_HOST = "static.bench.invalid";
export const STATIC_PATH = "/article.jpg";

/** `dir` holds article.jpg; `listen` is what the production server listens on. */
export function staticServerBlock(dir: string, listen: string): string {
  return `
server {
    listen ${listen};
    server_name ${STATIC_HOST};
    root ${dir};
    location = ${STATIC_PATH} {
        types { }
        default_type image/jpeg;
    }
    location / {
        return 404;
    }
}`;
}
