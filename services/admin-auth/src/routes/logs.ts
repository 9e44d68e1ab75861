import path from "node:path";
import { AppError } from "@belfoot/errors";
import { logFilePath } from "@belfoot/logging";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { formatLogLine } from "../logs/format-line";
import { rotatedCopies, tailRotated } from "../logs/tail-lines";
import { callerOf } from "../plugins/authenticate";
import { LogReplies } from "../replies";

const LogQuery = Type.Object(
  {
    lines: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
    service: Type.Union([Type.Literal("admin-auth"), Type.Literal("img-converter")], {
      default: "admin-auth",
    }),
    format: Type.Optional(Type.Union([Type.Literal("text"), Type.Literal("ndjson")])),
  },
  { additionalProperties: false },
);

export interface LogRoutesOptions {
  logDir: string;
}

/** GET /info and GET /error (admins only): the newest log lines, oldest first, as text or NDJSON. */
export const logRoutes: FastifyPluginAsyncTypebox<LogRoutesOptions> = async (app, opts) => {
  const adminOnly = async (request: FastifyRequest) => {
    await app.authenticate(request);
    if (callerOf(request).role !== "admin")
      throw new AppError(403, "forbidden", "the logs are for admins only");
  };

  for (const which of ["info", "error"] as const) {
    app.get(
      `/${which}`,
      {
        schema: {
          summary: `Read the newest lines of a service's ${which} log (admins)`,
          operationId: which === "info" ? "getInfoLog" : "getErrorLog",
          querystring: LogQuery,
          response: LogReplies,
        },
        preHandler: adminOnly,
      },
      async (request, reply) => {
        const { lines, service, format } = request.query;
        const live = logFilePath(path.join(opts.logDir, service), which);
        const files = [live, ...(await rotatedCopies(live))];
        const tail = await tailRotated(files, lines);
        const ndjson =
          format === "ndjson" || (!format && request.headers.accept?.includes("application/x-ndjson"));
        reply.header("cache-control", "no-store");
        if (ndjson) return reply.type("application/x-ndjson").send(tail.map((l) => `${l}\n`).join(""));
        return reply
          .type("text/plain; charset=utf-8")
          .send(tail.map((l) => `${formatLogLine(l)}\n`).join(""));
      },
    );
  }
};
