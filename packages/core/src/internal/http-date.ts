// RFC 9110 §5.6.7: the three forms a recipient must accept. Parsed by hand: Date.parse accepts
// far more (ISO strings, time zones) and reads asctime as local time.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Milliseconds since the epoch of an HTTP-date, or undefined when `text` is not exactly one of
 * RFC 9110's forms (IMF-fixdate, RFC 850, asctime) or names an impossible date or time.
 */
export function parseHttpDate(text: string, now = Date.now()): number | undefined {
  let fields: { day: string; month: string; year: number; time: string[] };
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(text))) {
    fields = { day: match[1]!, month: match[2]!, year: Number(match[3]), time: match.slice(4, 7) };
  } else if ((match = RFC_850.exec(text))) {
    // Two digits: the most recent year ending in them that is not more than 50 years ahead.
    const thisYear = new Date(now).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(match[3]);
    if (year > thisYear + 50) year -= 100;
    fields = { day: match[1]!, month: match[2]!, year, time: match.slice(4, 7) };
  } else if ((match = ASCTIME.exec(text))) {
    fields = { day: match[2]!, month: match[1]!, year: Number(match[6]), time: match.slice(3, 6) };
  } else {
    return undefined;
  }
  const day = Number(fields.day.trim());
  const [hour, minute, second] = fields.time.map(Number) as [number, number, number];
  const time = Date.UTC(fields.year, MONTHS.indexOf(fields.month), day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls an impossible date over (31 Nov is 1 Dec): refuse it instead.
  if (day < 1 || hour > 23 || minute > 59 || second > 60 || new Date(time).getUTCDate() !== day) return undefined;
  return time;
}
