// Times on the call page: a call-back is picked in the voter's own time zone (calling hours are theirs),
// and "when voters come back" is said in the volunteer's. Intl does the zone arithmetic; no library.

function partsIn(date, timeZone) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(date);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") };
}

const pad = (n) => String(n).padStart(2, "0");

// The instant as a datetime-local value ("2026-12-07T18:00") on the wall clock of `timeZone`.
export function toZonedInput(date, timeZone) {
  const p = partsIn(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

// A datetime-local value read on the wall clock of `timeZone`, as the instant it names.
export function fromZonedInput(value, timeZone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
  if (!match) return null;
  const [y, mo, d, h, mi] = match.slice(1).map(Number);
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  let instant = wanted;
  for (let i = 0; i < 3; i += 1) { // converges in one or two steps, DST changes included
    const p = partsIn(new Date(instant), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    if (shown === wanted) break;
    instant += wanted - shown;
  }
  return new Date(instant);
}

function minutesOf(hhmm) {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

// "HH:MM" of the calling hours as the page says other times: "9:00 AM", not "09:00" beside "6:00 PM".
export function clockTime(hhmm) {
  const at = new Date(Date.UTC(2000, 0, 1, 0, minutesOf(hhmm)));
  return at.toLocaleTimeString([], { hour: "numeric", minute: "2-digit", timeZone: "UTC" });
}

// Is the instant inside the calling hours ({start, end} as "HH:MM") on the voter's own clock?
export function insideHours(date, timeZone, hours) {
  const p = partsIn(date, timeZone);
  const at = p.hour * 60 + p.minute;
  return at >= minutesOf(hours.start) && at < minutesOf(hours.end);
}

// A good default call-back: tomorrow evening on the voter's clock, kept inside their calling hours.
export function suggestedCallBack(now, timeZone, hours) {
  const tomorrow = partsIn(new Date(now.getTime() + 24 * 3600 * 1000), timeZone);
  const latest = minutesOf(hours.end) - 30;
  const at = Math.max(minutesOf(hours.start), Math.min(18 * 60, latest));
  const local = `${tomorrow.year}-${pad(tomorrow.month)}-${pad(tomorrow.day)}T${pad(Math.floor(at / 60))}:${pad(at % 60)}`;
  return fromZonedInput(local, timeZone);
}

// "4:10 PM" today, "tomorrow at 9:00 AM", or "Tue, Dec 8 at 9:00 AM", on the volunteer's own clock.
export function whenToSay(date, now = new Date(), { zone = false } = {}) {
  // With `zone`, the time names its zone ("4:10 PM EST"): said of a call made elsewhere or earlier.
  const time = date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit", ...(zone ? { timeZoneName: "short" } : {}) });
  const day = (d) => d.toDateString();
  if (day(date) === day(now)) return time;
  if (day(date) === day(new Date(now.getTime() + 24 * 3600 * 1000))) return `tomorrow at ${time}`;
  if (day(date) === day(new Date(now.getTime() - 24 * 3600 * 1000))) return `yesterday at ${time}`;
  return `${date.toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" })} at ${time}`;
}

// The same with its preposition: "at 4:10 PM", "tomorrow at 9:00 AM".
export function atWhen(date, now = new Date()) {
  const said = whenToSay(date, now);
  return /^\d/.test(said) ? `at ${said}` : said;
}

// " (6:00 PM their time)" when the voter's clock reads otherwise than the volunteer's at `date`, else "".
export function theirClock(date, timeZone) {
  const theirs = partsIn(date, timeZone);
  const ours = partsIn(date, Intl.DateTimeFormat().resolvedOptions().timeZone);
  if (theirs.hour === ours.hour && theirs.minute === ours.minute && theirs.day === ours.day) return "";
  return ` (${date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit", timeZone })} their time)`;
}

// setTimeout for a moment that may be days away (browsers cap a delay at about 24.8 days).
export function wakeAt(date, callback) {
  const delay = Math.min(Math.max(0, date.getTime() - Date.now()) + 1000, 2 ** 31 - 1);
  return setTimeout(callback, delay);
}
