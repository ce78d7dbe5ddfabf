import { responseTooLargeMessage } from '../services/http-client.js';
import { concatBytes } from './concat-bytes.js';

/** Collects a response body chunk by chunk, up to a limit. */
export class BodyCollector {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds a chunk; returns an Error (and keeps nothing more) once the body is over the limit. */
  add(chunk: Uint8Array): Error | null {
    this.#size += chunk.byteLength;
    if (this.#size > this.maxBytes) {
      this.#chunks.length = 0;
      return new Error(responseTooLargeMessage(this.maxBytes));
    }
    this.#chunks.push(chunk);
    return null;
  }

  /** The body in one array. */
  bytes(): Uint8Array {
    return this.#chunks.length === 0 ? new Uint8Array(0) : concatBytes(this.#chunks);
  }
}
