/** A scripted HTTP server for unit tests: each request is answered by the next reply in line
 * (or by a handler), and every request is kept to look at afterwards. */

import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  at: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer (for timeouts); or hang up without an answer. */
  hang?: boolean;
  hangUp?: boolean;
}

export type Handler = (request: Seen) => Reply;

export class FakeServer {
  readonly seen: Seen[] = [];
  private readonly server: Server;
  private replies: Reply[] = [];

  constructor(private readonly handler?: Handler) {
    this.server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString();
      const seen: Seen = {
        method: request.method ?? "GET",
        url: request.url ?? "/",
        headers: request.headers,
        body: text ? JSON.parse(text) : undefined,
        at: Date.now(),
      };
      this.seen.push(seen);
      const reply = this.replies.shift() ??
        this.handler?.(seen) ?? { status: 404, body: { error: "no reply", code: "x" } };
      if (reply.hang) return;
      if (reply.hangUp) {
        request.socket.destroy();
        return;
      }
      const body = reply.body === undefined ? "" : JSON.stringify(reply.body);
      response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      response.end(body);
    });
  }

  /** Replies for the next requests, in order (then the handler answers). */
  reply(...replies: Reply[]): this {
    this.replies.push(...replies);
    return this;
  }

  /** Drops the replies not used yet. */
  clear(): this {
    this.replies = [];
    return this;
  }

  async start(): Promise<string> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, "close");
  }
}
