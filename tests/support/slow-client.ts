import { connect, type Socket } from "node:net";

/** A raw connection that sends what the test says, when it says, and records how it ended. */
export interface SlowConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** The status line's code once the server answered, else undefined. */
  status(): number | undefined;
  closed(): boolean;
  /** Send `text` one byte every `everyMs` until the server answers or closes, or `text` runs out. */
  trickle(text: string, everyMs: number): void;
  destroy(): void;
}

/** Opens a TCP connection to `url`'s host and port and writes `head` at once. */
export async function openSlow(url: string, head = ""): Promise<SlowConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => {});
  let received = "";
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  socket.on("data", (chunk) => {
    received += chunk.toString("latin1");
  });
  socket.on("close", () => {
    closed = true;
    clearInterval(timer);
  });
  if (head) socket.write(head);
  return {
    socket,
    received: () => received,
    status: () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      return match ? Number(match[1]) : undefined;
    },
    closed: () => closed,
    trickle(text, everyMs) {
      let sent = 0;
      timer = setInterval(() => {
        if (closed || received || sent >= text.length) return clearInterval(timer);
        socket.write(text[sent++] as string);
      }, everyMs);
    },
    destroy() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
