import { AppError } from "@belfoot/errors";

const USERNAME = /^[A-Za-z0-9._-]{3,64}$/;
export const MIN_PASSWORD_LENGTH = 10;

/** The account rules, each refusal naming the rule it broke. */
export function assertValidNewUser(username: string, password: string): void {
  if (!USERNAME.test(username)) {
    throw new AppError(
      400,
      "invalid_username",
      "user_name must be 3 to 64 characters of letters, digits, '.', '_' or '-'",
    );
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, "weak_password", `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}
