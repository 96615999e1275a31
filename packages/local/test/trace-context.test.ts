// Which traceparent headers name a trace (W3C Trace Context, level 1).
import { traceIdOf } from '../src/server/trace-context';

const id = '4bf92f3577b34da6a3ce929d0e0e4736';

it.each([
  [`00-${id}-00f067aa0ba902b7-01`, id],
  [`00-${id}-00f067aa0ba902b7-00`, id],
  [`01-${id}-00f067aa0ba902b7-01-future`, id],
  [undefined, null],
  ['', null],
  [`00-${id}-00f067aa0ba902b7-01-extra`, null],
  [`ff-${id}-00f067aa0ba902b7-01`, null],
  [`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, null],
  [`00-${id}-${'0'.repeat(16)}-01`, null],
  [`00-${id.toUpperCase()}-00f067aa0ba902b7-01`, null],
  ['00-short-00f067aa0ba902b7-01', null],
])('traceIdOf(%j) is %j', (header, expected) => {
  expect(traceIdOf(header)).toBe(expected);
});
