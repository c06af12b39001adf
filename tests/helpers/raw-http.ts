/** Raw HTTP/1.1 over a socket, for requests no HTTP client would send (odd targets, missing headers). */
import net from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: any;
}

export function rawRequest(port: number, head: string, body: string | Buffer = "", timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => {
      socket.write(head.replace(/\n/g, "\r\n") + "\r\n\r\n");
      if (body.length) socket.write(body);
    });
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", () => undefined); // a server may close while the body is still being written
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const [headText, ...rest] = text.split("\r\n\r\n");
      const lines = headText.split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      let payload = rest.join("\r\n\r\n");
      if (headers["transfer-encoding"] === "chunked") {
        let out = "";
        let s = payload;
        for (;;) {
          const nl = s.indexOf("\r\n");
          const n = parseInt(s.slice(0, nl), 16);
          if (!n) break;
          out += s.slice(nl + 2, nl + 2 + n);
          s = s.slice(nl + 2 + n + 2);
        }
        payload = out;
      }
      let json: any;
      try {
        json = JSON.parse(payload);
      } catch {
        json = undefined;
      }
      resolve({ status, headers, body: payload, json });
    });
  });
}

/** A complete request head with `Connection: close`. */
export const head = (requestLine: string, headers: Record<string, string | number> = {}) =>
  [requestLine, ...Object.entries({ host: "127.0.0.1", connection: "close", ...headers }).map(([k, v]) => `${k}: ${v}`)].join("\n");
