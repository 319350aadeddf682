"""Checks an iCalendar file with the independent Python `icalendar` parser.

Usage: python3 ical_check.py FILE EXPECTATIONS_JSON
EXPECTATIONS_JSON: {"method", "count", "uid", "sequence", "status", "dtstart", "dtend",
                    "summary", "partstats": [sorted PARTSTATs]}; keys other than uid are optional.
Exits non-zero with a message on the first mismatch.
"""
import json
import sys

import icalendar


def main():
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    exp = json.loads(sys.argv[2])
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0", cal["VERSION"]
    assert "PRODID" in cal
    if "method" in exp:
        assert str(cal["METHOD"]) == exp["method"], cal["METHOD"]
    events = cal.walk("VEVENT")
    if "count" in exp:
        assert len(events) == exp["count"], f"{len(events)} events"
    found = [e for e in events if str(e["UID"]) == exp["uid"]]
    assert len(found) == 1, f"UID {exp['uid']} not found in {[str(e['UID']) for e in events]}"
    ev = found[0]
    assert "DTSTAMP" in ev
    if "sequence" in exp:
        assert int(ev["SEQUENCE"]) == exp["sequence"], ev["SEQUENCE"]
    if "status" in exp:
        assert str(ev["STATUS"]) == exp["status"], ev["STATUS"]
    if "dtstart" in exp:
        assert ev.decoded("DTSTART").isoformat() == exp["dtstart"], ev.decoded("DTSTART")
    if "dtend" in exp:
        assert ev.decoded("DTEND").isoformat() == exp["dtend"], ev.decoded("DTEND")
    if "summary" in exp:
        assert str(ev["SUMMARY"]) == exp["summary"], ev["SUMMARY"]
    if "description_contains" in exp:
        assert exp["description_contains"] in str(ev["DESCRIPTION"]), ev["DESCRIPTION"]
    if "partstats" in exp:
        attendees = ev.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        got = sorted(str(a.params["PARTSTAT"]) for a in attendees)
        assert got == exp["partstats"], got
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"ical check failed: {e}", file=sys.stderr)
        sys.exit(1)
