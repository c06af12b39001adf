/**
 * Opaque page cursors. A cursor holds the sort key of the last row of a page (often a citizen id), so it
 * must reveal nothing: it is that key encrypted with AES-256-GCM under a key derived from the service's
 * secret, with a random IV (two cursors for the same row differ, so cursors cannot be compared across
 * queries either) and the list's name as associated data (one list's cursor is refused by another). Only
 * the service that made a cursor can read it; anything else — edited, truncated, from another list or
 * another deployment — is INVALID_CURSOR.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longest cursor accepted (base64url characters): keys are short ids. */
const MAX_CURSOR_LENGTH = 512;

export class InvalidCursorError extends Error {
  constructor(readonly list: string) {
    super(`Invalid cursor for ${list}.`);
  }
}

export interface CursorCodec {
  encode(list: string, key: string): string;
  /** The key of a cursor made by `encode` for the same list; throws InvalidCursorError otherwise. */
  decode(list: string, cursor: string): string;
}

export function createCursorCodec(secret: string): CursorCodec {
  const key = Buffer.from(hkdfSync("sha256", secret, "citizen-graph", "cursor-v1", 32));
  return {
    encode(list, value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(list, "utf8"));
      const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString("base64url");
    },
    decode(list, cursor) {
      if (typeof cursor !== "string" || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError(list);
      const raw = Buffer.from(cursor, "base64url");
      if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) throw new InvalidCursorError(list);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(1, 1 + IV_BYTES));
        decipher.setAAD(Buffer.from(list, "utf8"));
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new InvalidCursorError(list);
      }
    },
  };
}
