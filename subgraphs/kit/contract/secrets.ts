/**
 * Development secrets for the embedded default: created once (random, 32 bytes) in the data folder and
 * shared by every process started from it. Production sets them in the environment instead.
 */
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function secretFile(dataDir: string, name: string): string {
  return join(resolve(dataDir), "secrets", `${name}.key`);
}

/** Returns the secret in `envValue`, or the one stored at `file` (creating it with mode 0600). */
export function loadOrCreateSecret(envValue: string | undefined, file: string): string {
  if (envValue) return envValue;
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  // Several processes may start at once on a fresh data folder: write a complete temporary file, then
  // link it into place atomically; whoever loses the race reads the winner's complete file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, secret + "\n", { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return secret;
  } catch {
    return readFileSync(file, "utf8").trim();
  } finally {
    unlinkSync(tmp);
  }
}
