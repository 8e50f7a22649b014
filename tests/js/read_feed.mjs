// Reads an ICS file with ical.js and prints its events as JSON, one object per VEVENT:
// {uid, summary, start, end, allDay}. Used by tests/test_feed_icaljs.py.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toString(),
    end: event.endDate.toString(),
    allDay: event.startDate.isDate,
  };
});
process.stdout.write(JSON.stringify(events));
