/** The converter's routes the gateway calls. */
export const CONVERTER_PATHS = {
  convert: "/convert",
  uploads: "/uploads",
  health: "/health",
} as const;
