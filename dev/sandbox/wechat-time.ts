/** WeChat Pay writes times in China Standard Time (UTC+8, no daylight saving). */
const CHINA_OFFSET_MS = 8 * 3_600_000;

const chinaParts = (ms: number): string[] => {
  const date = new Date(ms + CHINA_OFFSET_MS);
  const two = (value: number) => String(value).padStart(2, '0');
  return [String(date.getUTCFullYear()), two(date.getUTCMonth() + 1), two(date.getUTCDate()), two(date.getUTCHours()), two(date.getUTCMinutes()), two(date.getUTCSeconds())];
};

/** `yyyyMMddHHmmss`, as in `paid_time` and `time_range`. */
export function compactTime(ms: number): string {
  return chinaParts(ms).join('');
}

/** RFC 3339 with the +08:00 offset, as in a notification's `create_time`. */
export function rfc3339Time(ms: number): string {
  const [year, month, day, hour, minute, second] = chinaParts(ms);
  return `${year}-${month}-${day}T${hour}:${minute}:${second}+08:00`;
}
