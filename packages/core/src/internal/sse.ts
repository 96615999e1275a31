/** One Server-Sent Event: its `event` name (default `message`) and its joined `data` lines. */
export interface SseMessage {
  event: string;
  data: string;
  id: string | undefined;
}

/** The longest line, and the most data in one event, a stream may send (1 MiB of characters). */
export const MAX_SSE_LINE_CHARS = 1024 * 1024;

/** A stream broke the parser's bounds: the caller drops it (and reconnects, or reports it). */
export class SseLimitError extends Error {
  /** What was too long: `a line` or `an event's data`. */
  readonly what: string;
  constructor(what: string, maxChars: number) {
    super(`${what} longer than ${maxChars} characters`);
    this.what = what;
  }
}

const LF = 10;
const CR = 13;

/**
 * An incremental parser for `text/event-stream` (WHATWG rules): feed it chunks as they arrive,
 * split anywhere, even inside a line or a CRLF; it returns the events completed so far.
 * Comment lines (`:` keep-alives) are skipped. Bounded: each character is examined once (an
 * unfinished line is kept as pieces, never rescanned), and a line or an event's data longer than
 * `maxChars` throws `SseLimitError` instead of growing without end.
 */
export class SseParser {
  readonly #maxChars: number;
  /** The unfinished line, as the pieces it arrived in. */
  #pieces: string[] = [];
  #piecesLength = 0;
  #data: string[] = [];
  #dataLength = 0;
  #event = '';
  #id: string | undefined;
  #pendingCr = false;
  #scanned = 0;

  constructor(maxChars = MAX_SSE_LINE_CHARS) {
    this.#maxChars = maxChars;
  }

  /** Characters examined so far: the parser's work, linear in what it was fed. */
  get scanned(): number {
    return this.#scanned;
  }

  feed(chunk: string): SseMessage[] {
    const messages: SseMessage[] = [];
    // A CR that ended the last chunk may be the first half of a CRLF.
    let start = 0;
    if (this.#pendingCr && chunk.charCodeAt(0) === LF) {
      start = 1;
      this.#scanned++;
    }
    this.#pendingCr = false;
    for (let index = start; index < chunk.length; index++) {
      this.#scanned++;
      const code = chunk.charCodeAt(index);
      if (code !== LF && code !== CR) continue;
      const message = this.#line(this.#takeLine(chunk, start, index));
      if (code === CR) {
        if (index + 1 === chunk.length) this.#pendingCr = true;
        else if (chunk.charCodeAt(index + 1) === LF) {
          index++;
          this.#scanned++;
        }
      }
      start = index + 1;
      if (message) messages.push(message);
    }
    if (start < chunk.length) {
      this.#piecesLength += chunk.length - start;
      if (this.#piecesLength > this.#maxChars) throw this.#tooLong('a line');
      this.#pieces.push(start === 0 ? chunk : chunk.slice(start));
    }
    return messages;
  }

  /** The line ending at `end` of this chunk: the kept pieces plus the chunk's part. */
  #takeLine(chunk: string, start: number, end: number): string {
    if (this.#piecesLength + (end - start) > this.#maxChars) throw this.#tooLong('a line');
    const tail = chunk.slice(start, end);
    if (this.#pieces.length === 0) return tail;
    this.#pieces.push(tail);
    const line = this.#pieces.join('');
    this.#pieces = [];
    this.#piecesLength = 0;
    return line;
  }

  #tooLong(what: string): SseLimitError {
    return new SseLimitError(what, this.#maxChars);
  }

  #line(line: string): SseMessage | undefined {
    if (line === '') {
      if (this.#data.length === 0) {
        this.#event = '';
        return undefined;
      }
      const message = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
      this.#data = [];
      this.#dataLength = 0;
      this.#event = '';
      return message;
    }
    if (line.charCodeAt(0) === 58 /* ':' */) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.#dataLength += value.length + 1;
      if (this.#dataLength > this.#maxChars) throw this.#tooLong("an event's data");
      this.#data.push(value);
    } else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }
}
