// Times for people are local, with the zone: "2026-12-03 10:05:09 EST". JSON
// output keeps ISO 8601 in UTC, for machines.

const FORMAT: Intl.DateTimeFormatOptions = {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
};

/** An ISO time (or Date) in the local time zone, named; anything unreadable as it came. */
export function localTime(moment: string | Date): string {
  const date = moment instanceof Date ? moment : new Date(moment);
  if (Number.isNaN(date.getTime())) return String(moment);
  // Made per call: the zone is the process's as it is now (TZ).
  const part = Object.fromEntries(new Intl.DateTimeFormat('en-US', FORMAT).formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
}
