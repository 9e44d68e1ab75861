/** What an admission hands out: something held until it is given back. */
export interface Ticket {
  release(): void;
}

/**
 * A counting limit that never waits: at most `max` tickets out at once, each given back once; `take`
 * throws `busy()` beyond, so the caller is turned away at once (503 + Retry-After) instead of queued.
 */
export function limitedTickets(max: number, busy: () => Error) {
  let out = 0;
  return {
    /** Tickets taken and not yet given back. */
    get out() {
      return out;
    },
    take(): Ticket {
      if (out >= max) throw busy();
      out++;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          out--;
        },
      };
    },
  };
}
