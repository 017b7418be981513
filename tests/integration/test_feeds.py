"""
Feeds and calendars (issue 12, item 2): a process's Atom feeds (its news; its published contributions) and a
call's, and the process's schedule and meetings as an iCalendar that applications subscribe to.

Each Atom feed is checked by a structural validator written here from RFC 4287 (Debian has no RELAX NG
schema of Atom: feed and entry ids, titles and `updated`, the authors, the alternate links, ids unique, dates
RFC 3339, entries newest first) and parsed by feedparser (python3-feedparser) too; the calendar is parsed by
Python's icalendar (python3-icalendar; libical's own parser reads it in tests/unit/test_ical.c). What the
public pages do not show (private, pending, hidden contributions) is never in a feed; a moved milestone keeps
its UID with a higher SEQUENCE; hostile text is escaped, not obeyed.
"""

import datetime
import re
import unittest
import xml.etree.ElementTree as ET

import feedparser
import icalendar

from harness import SLUG, ServerTestCase, parallel

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC_URL = "https://consult.example.org:8443"
HOST = "consult.example.org"
SECRETARIAT = "secretariat@example.org"
PASSWORD = "a long passphrase for the tests"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")
TAG = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d\d(-\d\d)?)?:\S+\Z")  # RFC 4151
HOSTILE = 'Comma, semicolon; backslash \\ <script>alert("x")</script> & ]]> \u00e9t\u00e9 \u4f1a\u8bae'


def rfc3339(text):
    if not RFC3339.match(text or ""):
        raise AssertionError("not an RFC 3339 date-time: %r" % text)
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class AtomCase(ServerTestCase):
    SHARED = False

    def office(self, now=None):
        s = self.fresh_server(now=now, global_args=["--public-url", PUBLIC_URL])
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def feed(self, s, path):
        """The feed at path, checked against RFC 4287's rules and by feedparser; returns (root, entries)."""
        r = s.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/atom+xml; charset=utf-8")
        root = ET.fromstring(r.body)
        self.check_atom(root, path)
        parsed = feedparser.parse(r.body)
        self.assertFalse(parsed.bozo, getattr(parsed, "bozo_exception", None))
        self.assertEqual(parsed.version, "atom10")
        entries = root.findall(ATOM + "entry")
        self.assertEqual([e.id for e in parsed.entries], [x.findtext(ATOM + "id") for x in entries])
        return root, entries

    def one(self, element, tag, where):
        found = element.findall(ATOM + tag)
        self.assertEqual(len(found), 1, "%s: exactly one atom:%s" % (where, tag))
        self.assertTrue((found[0].text or "").strip(), "%s: atom:%s is empty" % (where, tag))
        return found[0].text

    def alternate(self, element, where):
        links = [l for l in element.findall(ATOM + "link") if l.get("rel", "alternate") == "alternate"]
        self.assertTrue(links, "%s: a link rel=alternate" % where)
        for l in links:
            self.assertRegex(l.get("href"), r"\Ahttps?://", "%s: links are absolute" % where)
        return links[0].get("href")

    def check_atom(self, root, path):
        """RFC 4287, 4.1.1 and 4.1.2: what a feed and each entry must have."""
        self.assertEqual(root.tag, ATOM + "feed")
        self.assertRegex(self.one(root, "id", path), TAG)
        self.one(root, "title", path)
        updated = rfc3339(self.one(root, "updated", path))
        selfs = [l for l in root.findall(ATOM + "link") if l.get("rel") == "self"]
        self.assertEqual(len(selfs), 1, "a link rel=self")
        self.assertTrue(selfs[0].get("href").endswith(path), selfs[0].get("href"))
        self.alternate(root, path)
        feed_author = [a.findtext(ATOM + "name") for a in root.findall(ATOM + "author")]
        self.assertTrue(all(feed_author), "every author has a name")
        ids, times = set(), []
        entries = root.findall(ATOM + "entry")
        self.assertLessEqual(len(entries), 50, "capped to the newest 50")
        for x in entries:
            where = "%s entry %s" % (path, x.findtext(ATOM + "id"))
            eid = self.one(x, "id", where)
            self.assertRegex(eid, TAG)
            self.assertNotIn(eid, ids, "entry ids are unique")
            ids.add(eid)
            self.one(x, "title", where)
            times.append(rfc3339(self.one(x, "updated", where)))
            self.alternate(x, where)
            authors = [a.findtext(ATOM + "name") for a in x.findall(ATOM + "author")]
            self.assertTrue(all(authors), where)
            self.assertTrue(feed_author or authors, "%s: an author, its own or the feed's" % where)
            for child in x:
                self.assertIn(child.tag[len(ATOM):], {"id", "title", "updated", "link", "author", "summary",
                                                      "category", "content", "published", "rights"}, where)
        self.assertEqual(times, sorted(times, reverse=True), "entries newest first")
        if times:
            self.assertEqual(updated, times[0], "the feed's updated is its newest entry's")

    def entry(self, entries, suffix):
        found = [x for x in entries if x.findtext(ATOM + "id").endswith(suffix)]
        return found[0] if found else None


class ProcessFeed(AtomCase):
    def test_news_has_versions_letters_and_moves_with_their_reasons_under_the_public_host(self):
        s, token = self.office()
        council = [m for m in s.get_json("/api/v1/processes/" + SLUG).json()["milestones"]
                   if m["kind"] == "presentation"][0]
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "reason": "The Council meets later."}, token=token)
        self.assertEqual(r.status, 200, r)
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-22", "reason": "Asked for by members."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        r = s.send_json("PATCH", "/api/v1/milestones/%d" % council["id"], {"title": "Council <2021>"}, token=token)
        self.assertEqual(r.status, 200, r)
        r = s.send_json("PATCH", "/api/v1/milestones/%d" % council["id"], {"status": "cancelled"}, token=token)
        self.assertEqual(r.status, 200, r)
        root, entries = self.feed(s, "/processes/%s/feed.atom" % SLUG)
        titles = [x.findtext(ATOM + "title") for x in entries]
        self.assertEqual([t for t in titles if t.startswith("Cancelled")], ["Cancelled: Council <2021>"],
                         "a status change is news; a change of title alone is not")
        self.assertEqual(root.findtext(ATOM + "id"), "tag:%s,2026:process/%s/feed" % (HOST, SLUG))
        ids = [x.findtext(ATOM + "id") for x in entries]
        self.assertTrue(all(i.startswith("tag:%s,2026:" % HOST) for i in ids), ids)
        kinds = {x.find(ATOM + "category").get("term") for x in entries}
        self.assertEqual(kinds, {"version", "letter", "schedule"})
        self.assertFalse([i for i in ids if "contribution/" in i], "news has no contributions")
        # a move's instant; one kept with its day only (the demo's, from before 023) at the start of that day
        self.assertEqual(self.entry(entries, "milestone-move/2").findtext(ATOM + "updated"), "2021-02-01T10:00:00Z")
        self.assertEqual(self.entry(entries, "milestone-move/1").findtext(ATOM + "updated"), "2020-12-22T23:00:00Z")
        move = self.entry(entries, "milestone-move/2")
        texts = " ".join(x.findtext(ATOM + "summary") or "" for x in entries)
        self.assertIn("The Council meets later.", texts)
        self.assertIn("Asked for by members.", texts)
        self.assertIn("to 22 February 2021", texts)
        self.assertIsNotNone(move)
        letter = self.entry(entries, "circular/2")
        self.assertIn("CL-20/55", letter.findtext(ATOM + "title"))
        self.assertEqual(self.alternate(letter, "letter"), PUBLIC_URL + "/processes/%s#letters" % SLUG)
        # the same state reads the same, with an ETag that a reader sends back for a 304
        first = s.get("/processes/%s/feed.atom" % SLUG)
        again = s.get("/processes/%s/feed.atom" % SLUG)
        self.assertEqual(first.body, again.body)
        etag = first.header("ETag")
        self.assertRegex(etag, r'\A"[0-9a-f]{16}"\Z')
        r = s.get("/processes/%s/feed.atom" % SLUG, headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(s.get("/processes/%s/feed.atom" % SLUG, headers={"If-None-Match": '"0"'}).status, 200)

    def test_unknown_process_or_call_is_404(self):
        s, _ = self.office()
        for path in ("/processes/nope/feed.atom", "/processes/nope/contributions.atom", "/calls/999/feed.atom",
                     "/calls/x/feed.atom", "/processes/nope/calendar.ics"):
            self.assertEqual(s.get(path).status, 404, path)

    def test_pages_announce_their_feeds_in_the_head_and_say_follow_by_feed(self):
        s, _ = self.office()
        page = s.get("/processes/" + SLUG).text
        head = page[:page.index("</head>")]
        self.assertIn('<link rel="alternate" type="application/atom+xml" href="/processes/%s/feed.atom"' % SLUG, head)
        self.assertIn('<link rel="alternate" type="application/atom+xml" href="/processes/%s/contributions.atom"'
                      % SLUG, head)
        body = page[page.index("<main"):]
        self.assertIn("Follow by feed", body)
        self.assertIn('<a href="/processes/%s/calendar.ics" type="text/calendar">Add to your calendar</a>' % SLUG,
                      body)
        for path in ("/calls/1", "/calls/1/contributions"):
            page = s.get(path).text
            self.assertIn('<link rel="alternate" type="application/atom+xml" href="/calls/1/feed.atom"',
                          page[:page.index("</head>")], path)
        self.assertIn("Follow by feed", s.get("/calls/1").text)


class ContributionFeeds(AtomCase):
    def test_only_published_public_contributions_newest_first_with_hostile_text_escaped(self):
        s, token = self.office()
        named = s.contribute(name=HOSTILE, organization="Org & <Co>", text="Text with <b>tags</b> & ]]> " * 40)
        anonymous = s.contribute(name="Secret Name", publication="anonymous", text="Anonymous text.")
        private = s.contribute(name="Private Person", publication="private", text="Private text.")
        hidden = s.contribute(name="Mallory", text="To be hidden.")
        r = s.send_json("POST", "/api/v1/contributions/%s/moderation" % hidden["tracking"],
                        {"action": "hide", "reason": "Attacks."}, token=token)
        self.assertEqual(r.status, 200, r)
        # a later one, and one waiting for review (pending): restart the same database an hour on
        s.stop()
        s.start(now="2021-02-01T11:00:00Z")
        later = s.contribute(name="Later One", text="Later text.")
        r = s.send_json("PATCH", "/api/v1/calls/1", {"review": "after_review"}, token=token)
        self.assertEqual(r.status, 200, r)
        pending = s.contribute(name="Pending Person", text="Pending text.")
        self.assertEqual(s.send_json("GET", "/api/v1/contributions/" + pending["tracking"], token=token)
                         .json()["state"], "pending")
        for path in ("/calls/1/feed.atom", "/processes/%s/contributions.atom" % SLUG):
            with self.subTest(path=path):
                r = s.get(path)
                for absent in ("Private Person", "Private text", "Mallory", "To be hidden", "Pending Person",
                               "Secret Name", private["tracking"], hidden["tracking"], pending["tracking"]):
                    self.assertNotIn(absent.encode(), r.body, absent)
                self.assertNotIn(b"<script>", r.body)
                self.assertNotIn(b"<b>", r.body)
                root, entries = self.feed(s, path)
                ids = [x.findtext(ATOM + "id") for x in entries]
                want = ["tag:%s,2026:contribution/%s" % (HOST, k["tracking"]) for k in (later, anonymous, named)]
                self.assertEqual([i for i in ids if "contribution/" in i][:3], want[:1] + sorted(want[1:],
                                                                                                  reverse=True))
                x = self.entry(entries, named["tracking"])
                self.assertEqual(x.find(ATOM + "author").findtext(ATOM + "name"), HOSTILE + ", Org & <Co>")
                self.assertTrue(x.findtext(ATOM + "summary").startswith("Text with <b>tags</b> & ]]> "))
                self.assertTrue(x.findtext(ATOM + "summary").endswith("\u2026"), "a long text is cut")
                self.assertEqual(self.alternate(x, "named"), PUBLIC_URL + "/contributions/" + named["tracking"])
                a = self.entry(entries, anonymous["tracking"])
                self.assertEqual(a.find(ATOM + "author").findtext(ATOM + "name"), "Anonymous (Academia)")
        # the call's feed also says when its deadline changed
        root, entries = self.feed(s, "/calls/1/feed.atom")
        self.assertEqual(root.findtext(ATOM + "id"), "tag:%s,2026:call/1/feed" % HOST)

    def test_a_feed_holds_the_newest_50_and_the_start_of_each_text(self):
        s, _ = self.office()
        sent = parallel(lambda i: s.contribute(text="%02d " % i + "long text " * 9000)["tracking"], list(range(53)), 4)
        for path in ("/calls/1/feed.atom", "/processes/%s/contributions.atom" % SLUG):
            with self.subTest(path=path):
                r = s.get(path)
                self.assertLess(len(r.body), 100 * 1024, "summaries, not whole texts")
                root, entries = self.feed(s, path)
                self.assertEqual(len(entries), 50)
                ids = {x.findtext(ATOM + "id").rsplit("/", 1)[1] for x in entries}
                self.assertLessEqual(ids, set(sent))
                self.assertIn("newest 50", root.findtext(ATOM + "subtitle"))


class Calendar(ServerTestCase):
    SHARED = False

    def office(self):
        s = self.fresh_server(global_args=["--public-url", PUBLIC_URL])
        return s, s.account_token(SECRETARIAT, password=PASSWORD)

    def calendar(self, s):
        r = s.get("/processes/%s/calendar.ics" % SLUG)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/calendar; charset=utf-8")
        lines = r.body.split(b"\r\n")
        self.assertEqual(lines[-1], b"", "CRLF at the end of every line")
        for line in lines:
            self.assertNotIn(b"\n", line, "lines end with CRLF")
            self.assertLessEqual(len(line), 75, "folded at 75 octets: %r" % line)
        body = r.body.decode("utf-8")  # folding never splits a character
        cal = icalendar.Calendar.from_ical(body)
        zones = [c for c in cal.walk("VTIMEZONE")]
        self.assertEqual([str(z["TZID"]) for z in zones], ["Europe/Zurich"])
        events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        self.assertEqual(len(events), len(cal.walk("VEVENT")), "UIDs are unique")
        for uid, e in events.items():
            self.assertTrue(uid.endswith("@" + HOST), uid)
            for prop in ("DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "SUMMARY", "STATUS"):
                self.assertIn(prop, e, uid)
            start = e["DTSTART"]
            if isinstance(start.dt, datetime.datetime):
                self.assertEqual(start.params.get("TZID"), "Europe/Zurich", uid)
                self.assertEqual(str(start.dt.tzinfo), "Europe/Zurich", uid)
        return cal, events, body

    def test_schedule_and_meetings_in_the_process_zone(self):
        s, _ = self.office()
        cal, events, body = self.calendar(s)
        self.assertEqual(str(cal["X-WR-TIMEZONE"]), "Europe/Zurich")
        deadline = [e for e in events.values() if str(e["SUMMARY"]).startswith("Deadline for written inputs from")]
        self.assertEqual(len(deadline), 1)
        self.assertEqual(deadline[0]["DTSTART"].dt.isoformat(), "2021-02-15T23:59:00+01:00")
        meeting = [e for e in events.values() if "Second online open consultation" in str(e["SUMMARY"])]
        self.assertEqual(len(meeting), 1, "the meeting on the schedule and in the meetings is one event")
        self.assertEqual((meeting[0]["DTSTART"].dt.isoformat(), meeting[0]["DTEND"].dt.isoformat()),
                         ("2021-03-01T14:00:00+01:00", "2021-03-01T17:00:00+01:00"))
        council = [e for e in events.values() if "Council for consideration" in str(e["SUMMARY"])][0]
        self.assertEqual((council["DTSTART"].dt, council["DTEND"].dt),
                         (datetime.date(2021, 6, 8), datetime.date(2021, 6, 19)), "all day, DTEND the day after")
        self.assertEqual(council["SEQUENCE"], 1, "moved once in the demo's story")
        self.assertIn("2020 session of the Council", str(council["DESCRIPTION"]))
        self.assertNotIn("meet.gca-demo.example", body, "the link to join is for registered participants only")
        r = s.get("/processes/%s/calendar.ics" % SLUG, headers={"If-None-Match": s.get(
            "/processes/%s/calendar.ics" % SLUG).header("ETag")})
        self.assertEqual(r.status, 304)

    def test_a_moved_milestone_keeps_its_uid_with_a_higher_sequence(self):
        s, token = self.office()
        _, before, _ = self.calendar(s)
        council = [m for m in s.get_json("/api/v1/processes/" + SLUG).json()["milestones"]
                   if m["kind"] == "presentation"][0]
        uid = "milestone-%d@%s" % (council["id"], HOST)
        r = s.send_json("POST", "/api/v1/milestones/%d/move" % council["id"],
                        {"date": "2021-07-05", "end_date": "2021-07-09", "reason": "Later;\nthe Council, then."},
                        token=token)
        self.assertEqual(r.status, 200, r)
        _, after, _ = self.calendar(s)
        self.assertEqual(set(after), set(before), "the same events, by UID")
        self.assertEqual(after[uid]["SEQUENCE"], before[uid]["SEQUENCE"] + 1)
        self.assertEqual(after[uid]["DTSTART"].dt, datetime.date(2021, 7, 5))
        self.assertEqual(after[uid]["LAST-MODIFIED"].dt.isoformat(), "2021-02-01T10:00:00+00:00")
        self.assertIn("Later;\nthe Council, then.", str(after[uid]["DESCRIPTION"]))
        unchanged = [u for u in before if u != uid]
        self.assertEqual([after[u]["SEQUENCE"] for u in unchanged], [before[u]["SEQUENCE"] for u in unchanged])
        # cancelled: the same event, said cancelled, one more again
        r = s.send_json("PATCH", "/api/v1/milestones/%d" % council["id"], {"status": "cancelled"}, token=token)
        self.assertEqual(r.status, 200, r)
        _, cancelled, _ = self.calendar(s)
        self.assertEqual(str(cancelled[uid]["STATUS"]), "CANCELLED")
        self.assertEqual(cancelled[uid]["SEQUENCE"], after[uid]["SEQUENCE"] + 1)

    def test_a_changed_deadline_moves_its_event(self):
        s, token = self.office()
        call = s.get_json("/api/v1/calls/1").json()
        uid = "milestone-%d@%s" % (call["milestone_id"], HOST)
        _, before, _ = self.calendar(s)
        r = s.send_json("PATCH", "/api/v1/calls/1", {"closes_on": "2021-02-22", "reason": "More time."}, token=token)
        self.assertEqual(r.status, 200, r)
        _, after, _ = self.calendar(s)
        self.assertEqual(after[uid]["SEQUENCE"], before[uid]["SEQUENCE"] + 1)
        self.assertEqual(after[uid]["DTSTART"].dt.isoformat(), "2021-02-22T23:59:00+01:00")
        # a change that keeps the date (the review mode) is no move
        self.assertEqual(s.send_json("PATCH", "/api/v1/calls/1", {"review": "after_review"}, token=token).status, 200)
        _, same, _ = self.calendar(s)
        self.assertEqual(same[uid]["SEQUENCE"], after[uid]["SEQUENCE"])

    def test_a_new_call_that_takes_a_deadline_of_the_schedule_moves_its_event(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG,
                        {"date": "2021-03-20", "title": "Last inputs", "kind": "deadline"}, token=token)
        self.assertEqual(r.status, 201, r)
        uid = "milestone-%d@%s" % (r.json()["id"], HOST)
        _, before, _ = self.calendar(s)
        self.assertEqual((before[uid]["SEQUENCE"], before[uid]["DTSTART"].dt), (0, datetime.date(2021, 3, 20)))
        version = s.get_json("/api/v1/processes/" + SLUG).json()["documents"][0]["versions"][-1]["id"]
        r = s.send_json("POST", "/api/v1/processes/%s/calls" % SLUG,
                        {"version_id": version, "title": "Last inputs", "opens_on": "2021-02-01",
                         "closes_on": "2021-03-27", "milestone_id": r.json()["id"]}, token=token)
        self.assertEqual(r.status, 201, r)
        _, after, _ = self.calendar(s)
        self.assertEqual(after[uid]["SEQUENCE"], 1)
        self.assertEqual(after[uid]["DTSTART"].dt.isoformat(), "2021-03-27T23:59:00+01:00")

    def test_a_meeting_on_the_schedule_is_one_event_under_its_invitations_uid(self):
        s, token = self.office()
        meeting = [m for m in s.get_json("/api/v1/processes/" + SLUG).json()["meetings"]
                   if m["title"].startswith("Second online open consultation")][0]
        invitation = icalendar.Calendar.from_ical(s.get("/meetings/%d.ics" % meeting["id"]).body).walk("VEVENT")
        self.assertEqual(len(invitation), 1)
        uid = str(invitation[0]["UID"])
        self.assertEqual(uid, "meeting-%d@%s" % (meeting["id"], HOST))
        cal, events, _ = self.calendar(s)  # its UIDs are unique (checked there)
        same = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
        self.assertEqual(len(same), 1, "the meeting on the schedule is one event, under the invitation's UID")
        self.assertTrue(str(same[0]["SUMMARY"]).startswith("Second online open consultation"))
        milestone = [m for m in s.get_json("/api/v1/processes/" + SLUG).json()["milestones"]
                     if m["kind"] == "meeting" and m["date"] == meeting["date"]][0]
        self.assertNotIn("milestone-%d@%s" % (milestone["id"], HOST), events, "no second event for it")
        # the meeting's new hours (same day) are an update of that event: a higher SEQUENCE
        r = s.send_json("PATCH", "/api/v1/meetings/%d" % meeting["id"], {"starts": "15:00", "ends": "18:00"},
                        token=token)
        self.assertEqual(r.status, 200, r)
        _, after, _ = self.calendar(s)
        self.assertGreater(after[uid]["SEQUENCE"], events[uid]["SEQUENCE"])
        self.assertEqual(after[uid]["DTSTART"].dt.isoformat(), "2021-03-01T15:00:00+01:00")
        self.assertEqual(str(icalendar.Calendar.from_ical(s.get("/meetings/%d.ics" % meeting["id"]).body)
                             .walk("VEVENT")[0]["SEQUENCE"]), str(after[uid]["SEQUENCE"]))

    def test_hostile_titles_are_escaped(self):
        s, token = self.office()
        r = s.send_json("POST", "/api/v1/processes/%s/milestones" % SLUG,
                        {"date": "2021-04-20", "title": HOSTILE, "kind": "other"}, token=token)
        self.assertEqual(r.status, 201, r)
        cal, events, body = self.calendar(s)
        e = events["milestone-%d@%s" % (r.json()["id"], HOST)]
        self.assertEqual(str(e["SUMMARY"]), HOSTILE)
        self.assertIn("SUMMARY:Comma\\, semicolon\\; backslash \\\\ <script>", body.replace("\r\n ", ""))


if __name__ == "__main__":
    unittest.main()
