import { MAX_SSE_LINE_CHARS, SseLimitError, SseParser } from '../src/internal/sse';

describe('SseParser', () => {
  it('parses events, skipping keep-alive comments', () => {
    const parser = new SseParser();
    expect(parser.feed(': keep-alive\n\ndata: {"type":"CONNECTED"}\n\n: ping\n\n')).toEqual([{ event: 'message', data: '{"type":"CONNECTED"}', id: undefined }]);
  });

  it('joins multi-line data and reads event and id fields', () => {
    const parser = new SseParser();
    expect(parser.feed('event: decision\nid: 7\ndata: line one\ndata:line two\n\n')).toEqual([{ event: 'decision', data: 'line one\nline two', id: '7' }]);
  });

  it('handles chunks split anywhere, CRLF split across chunks included', () => {
    const text = 'data: {"a":1}\r\n\r\n: c\r\ndata: {"b":2}\r\n\r\ndata: {"c":3}\n\n';
    for (let size = 1; size <= text.length; size++) {
      const parser = new SseParser();
      const events = [];
      for (let index = 0; index < text.length; index += size) events.push(...parser.feed(text.slice(index, index + size)));
      expect(events.map((event) => event.data)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    }
  });

  it('handles bare CR line endings and keeps an unfinished event for later', () => {
    const parser = new SseParser();
    expect(parser.feed('data: x\r\rdata: y')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
    expect(parser.feed('\n\n')).toEqual([{ event: 'message', data: 'y', id: undefined }]);
  });

  it('scans each character once: a long line fed in many chunks costs its length, not its length squared', () => {
    const parser = new SseParser();
    const chunk = 'x'.repeat(100);
    const chunks = 9_000;
    expect(parser.feed('data: ')).toEqual([]);
    let early = 0;
    for (let index = 0; index < chunks; index++) early += parser.feed(chunk).length;
    expect(early).toBe(0);
    const [message] = parser.feed('\n\n');
    expect(message!.data).toHaveLength(chunk.length * chunks);
    expect(parser.scanned).toBe('data: '.length + chunk.length * chunks + 2);
  });

  it('refuses a line longer than 1 MiB, however it is chunked', () => {
    expect(MAX_SSE_LINE_CHARS).toBe(1024 * 1024);
    const parser = new SseParser();
    const chunk = 'y'.repeat(64 * 1024);
    parser.feed('data: ');
    let fed = 'data: '.length;
    let thrown: unknown;
    try {
      for (;;) {
        parser.feed(chunk);
        fed += chunk.length;
        if (fed > 2 * MAX_SSE_LINE_CHARS) break;
      }
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SseLimitError);
    expect(fed).toBeLessThanOrEqual(MAX_SSE_LINE_CHARS);
    expect(parser.scanned).toBeLessThanOrEqual(MAX_SSE_LINE_CHARS + chunk.length);
  });

  it('refuses one event whose data lines add up to more than 1 MiB', () => {
    const parser = new SseParser();
    const line = `data: ${'z'.repeat(1000)}\n`;
    expect(() => {
      for (let index = 0; index < 2000; index++) parser.feed(line);
    }).toThrow(SseLimitError);
  });

  it('a line just under the cap is fine', () => {
    const parser = new SseParser();
    const data = 'w'.repeat(MAX_SSE_LINE_CHARS - 'data: '.length);
    expect(parser.feed(`data: ${data}`)).toEqual([]);
    expect(parser.feed('\n\n')).toEqual([{ event: 'message', data, id: undefined }]);
  });
});
