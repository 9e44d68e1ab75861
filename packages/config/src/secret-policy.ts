/** Fewest bytes a given INTERNAL_TOKEN or JWT_SECRET may have: HS256's key size (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/** The placeholders `.env.example` ships ("change-me…"): published, so they protect nothing. */
const PLACEHOLDER = /change[-_ ]?me/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/**
 * Why a given secret is refused, or undefined when it is fit to use. Applies in every environment:
 * an unset secret is generated outside production, so a weak one is always someone's choice.
 */
export function secretProblem(name: string, value: string): string | undefined {
  if (isPlaceholder(value)) {
    return `${name} is the placeholder from .env.example; generate one: openssl rand -hex 32`;
  }
  if (Buffer.byteLength(value, "utf8") < MIN_SECRET_BYTES) {
    return `${name} must be at least ${MIN_SECRET_BYTES} bytes; generate one: openssl rand -hex 32`;
  }
  return undefined;
}
