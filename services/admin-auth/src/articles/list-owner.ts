import { findUserById, findUserByName, type Sql } from "@belfoot/db";
import { AppError } from "@belfoot/errors";
import type { Caller } from "../plugins/authenticate";

/**
 * Whose images a listing shows: a user only their own; an admin everyone's, or one owner's named by
 * `?owner=` (a user id, or a user name). Undefined means everyone's.
 */
export async function listingOwner(
  sql: Sql,
  caller: Caller,
  owner: string | undefined,
): Promise<number | undefined> {
  if (caller.role !== "admin") {
    if (owner !== undefined && owner !== String(caller.id) && owner !== caller.username) {
      throw new AppError(403, "forbidden", "only admins may list another user's images");
    }
    return caller.id;
  }
  if (owner === undefined) return undefined;
  const user = /^[1-9]\d{0,15}$/.test(owner)
    ? ((await findUserById(sql, Number(owner))) ?? (await findUserByName(sql, owner)))
    : await findUserByName(sql, owner);
  if (!user) throw new AppError(404, "not_found", "no such owner");
  return user.id;
}
