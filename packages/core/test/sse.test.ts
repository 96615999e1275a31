import { SseParser } from '../src/internal/sse';

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
});
