// `pnpm user add|passwd|list|remove`: manage accounts from a shell. Passwords come from stdin
// (one line), never from argv, so they stay out of shell history and `ps`.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadConfig } from "@belfoot/config";
import {
  connect,
  createUser,
  isDatabaseUnavailable,
  listUsers,
  migrate,
  removeUser,
  setUserPassword,
} from "@belfoot/db";
import { hashPassword } from "../auth/passwords";
import { assertValidNewUser } from "../auth/user-policy";
import { resolveDatabaseUrl } from "./database-url";

const USAGE = `usage:
  pnpm user add NAME [--admin]    (password read from stdin)
  pnpm user passwd NAME           (password read from stdin)
  pnpm user list
  pnpm user remove NAME`;

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("password: ");
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error("no password on stdin");
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { admin: { type: "boolean", default: false } },
  });
  const [command, name] = positionals;
  const config = loadConfig();
  const sql = connect(resolveDatabaseUrl(config), { max: 1 });
  try {
    await migrate(sql).catch((err: unknown) => {
      throw isDatabaseUnavailable(err) ? new Error(unreachable(config.DATABASE_URL, err)) : err;
    });
    switch (command) {
      case "add": {
        if (!name) break;
        const password = await readPassword();
        assertValidNewUser(name, password);
        const role = values.admin ? "admin" : "user";
        const user = await createUser(sql, {
          username: name,
          passwordHash: await hashPassword(password),
          role,
        });
        if (!user) throw new Error(`user ${name} already exists`);
        console.log(`added ${role} ${name} (id ${user.id})`);
        return 0;
      }
      case "passwd": {
        if (!name) break;
        const password = await readPassword();
        assertValidNewUser(name, password);
        if (!(await setUserPassword(sql, name, await hashPassword(password))))
          throw new Error(`no user ${name}`);
        console.log(`password of ${name} changed`);
        return 0;
      }
      case "list":
        for (const u of await listUsers(sql))
          console.log(`${u.id}\t${u.username}\t${u.role}\t${u.createdAt.toISOString()}`);
        return 0;
      case "remove":
        if (!name) break;
        if (!(await removeUser(sql, name))) throw new Error(`no user ${name}`);
        console.log(`removed ${name}`);
        return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await sql.end();
  }
}

/** What a refused connection means here, and what to do; the URL's password is never shown. */
function unreachable(given: string | undefined, err: unknown): string {
  const code = (err as { code?: string }).code;
  if (!given)
    return `the database is not reachable (${code}): pnpm start runs the embedded PostgreSQL only while it runs; start it (in another terminal) and try again, or set DATABASE_URL`;
  const { hostname, port } = new URL(given);
  return `the database at ${hostname}:${port || 5432} (DATABASE_URL) is not reachable (${code}): start PostgreSQL there, or correct DATABASE_URL`;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`user: ${err.message}`);
    process.exit(1);
  },
);
