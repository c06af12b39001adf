/**
 * One-off POSTs from the harness (readiness probes, verification, samples, discovery) on fresh connections
 * that close after the response: a kept-alive socket of the harness would make a gateway wait for it when
 * it shuts down.
 */
import { request } from "node:http";

export interface HttpResponse {
  status: number;
  text: string;
}

export function postJson(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", connection: "close", "content-length": Buffer.byteLength(body), ...headers }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

export function getStatus(url: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", agent: false, headers: { connection: "close" }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
