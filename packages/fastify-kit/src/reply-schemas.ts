import { type TObject, type TProperties, Type } from "typebox";

/**
 * The answer shapes every service of ours uses, whatever its domain: the error body and the
 * `{status, message}` envelope. They document the answers in OpenAPI and, because Fastify serialises
 * JSON replies with them, they are also what is sent.
 */

export const ErrorReply = Type.Object(
  {
    status: Type.Integer({ description: "the HTTP status, repeated" }),
    code: Type.String({ description: "stable snake_case code to branch on", examples: ["not_found"] }),
    message: Type.String({ description: "human text" }),
    request_id: Type.Optional(Type.String({ description: "the X-Request-Id of this request" })),
  },
  { additionalProperties: false, description: "an error" },
);

/** `{status, message}` (the original API's shape) followed by the given fields. */
export function statusReply<P extends TProperties>(properties: P, description: string): TObject {
  return Type.Object(
    { status: Type.Integer(), message: Type.String(), ...properties },
    { additionalProperties: false, description },
  );
}

export const HealthReply = statusReply({}, "the process answers");
export const ReadyReply = statusReply(
  { checks: Type.Record(Type.String(), Type.Boolean()) },
  "each readiness check by name",
);

/** Every route can refuse (4xx) or fail (5xx) with the same error body. */
export const errorReplies = { "4xx": ErrorReply, "5xx": ErrorReply } as const;
