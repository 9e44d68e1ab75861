let thisTurn: Promise<void> | undefined;

/**
 * Resolves in this event-loop turn's check phase, once every I/O callback of the turn has run: a
 * change notification that arrived with (or before) a request is then applied before that request
 * reads a cache. One timer per turn, shared by every lookup in it, not one per lookup.
 */
export function afterReceivedChanges(): Promise<void> {
  thisTurn ??= new Promise((resolve) => {
    setImmediate(() => {
      thisTurn = undefined;
      resolve();
    });
  });
  return thisTurn;
}
