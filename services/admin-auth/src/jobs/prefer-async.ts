/** RFC 7240: does the Prefer header ask for `respond-async` (among other preferences, any case)? */
export function prefersAsync(prefer: string | string[] | undefined): boolean {
  const values = Array.isArray(prefer) ? prefer : prefer ? [prefer] : [];
  return values.some((value) =>
    value.split(",").some((pref) => pref.split(";")[0]?.trim().toLowerCase() === "respond-async"),
  );
}
