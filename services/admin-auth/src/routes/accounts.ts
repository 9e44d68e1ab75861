import { createUser } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { hashPassword } from "../auth/passwords";
import { assertValidNewUser } from "../auth/user-policy";
import { callerOf } from "../plugins/authenticate";
import { AuthReplies, RegistrationReplies } from "../replies";

const AccountBody = Type.Object(
  {
    user_name: Type.String({ maxLength: 256 }),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export interface AccountRoutesOptions {
  registration: "admin" | "open";
  jwtTtlSeconds: number;
}

/** The original API's accounts: POST /registration and POST /auth, same paths and bodies as before. */
export const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (app, opts) => {
  // With REGISTRATION=admin only an admin (Basic or Bearer) may create users.
  const mayRegister = async (request: FastifyRequest) => {
    if (opts.registration === "open") return;
    await app.authenticate(request);
    if (callerOf(request).role !== "admin") {
      throw new AppError(403, "forbidden", "only an admin may register users");
    }
  };

  app.post(
    "/registration",
    {
      schema: {
        summary: "Create a user",
        operationId: "registerUser",
        body: AccountBody,
        response: RegistrationReplies,
      },
      preHandler: mayRegister,
    },
    async (request, reply) => {
      const { user_name: username, password } = request.body;
      assertValidNewUser(username, password);
      const created = await createUser(app.sql, {
        username,
        passwordHash: await hashPassword(password),
        role: "user",
      });
      if (!created) throw new AppError(409, "user_exists", `the user ${username} already exists`);
      request.log.info({ user_id: created.id, username }, "user registered");
      return reply.code(201).send({ status: 201, message: "user created", id: created.id });
    },
  );

  const tokenSchema = {
    summary: "Exchange a user name and password for a token (JWT)",
    operationId: "createToken",
    body: AccountBody,
    response: AuthReplies,
  };
  app.post("/auth", { schema: tokenSchema }, async (request) => {
    const { user_name: username, password } = request.body;
    // A token is issued only on a fresh argon2 check, never on a remembered pair.
    const caller = await app.checkPassword({ username, password }, request, { remembered: false });
    if (!caller) throw new AppError(401, "invalid_credentials", "wrong user name or password");
    return {
      status: 200,
      message: "authenticated",
      id: caller.id,
      username: caller.username,
      token: await app.signToken(caller),
      expires_in: opts.jwtTtlSeconds,
    };
  });
};
