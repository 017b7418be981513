"""Dates in the reader's language everywhere (issue 14, item 2): the sentences core composes with a date (a
call's deadline, a receipt mail's times, a schedule's ranges) use the one choice of util/i18n.h
(i18n_date_long / i18n_instant_long): ICU's form for French and the other four, the house style for English,
unchanged. The clock is frozen at the opening of call 1 (1 February 2021, 11:00 in Zurich); call 1 closes at
the end of 15 February 2021 there. The receipt mail's dates are asserted in
test_mail_language.py (MailLanguage.test_receipt_in_the_language_of_the_request), with its other French."""

import html
import re

import harness
from harness import SLUG, contribution

FR = {"Accept-Language": "fr"}
# ICU's French for the instants (CLDR: "à", the zone's long name, which says winter time here).
FR_RECEIVED = "1 f\u00e9vrier 2021 \u00e0 11:00 heure normale d\u2019Europe centrale"
FR_DEADLINE = "15 f\u00e9vrier 2021 \u00e0 23:59 heure normale d\u2019Europe centrale"
EN_RECEIVED = "1 February 2021, 11:00 Zurich time (UTC+1)"
EN_DEADLINE = "15 February 2021, 23:59 Zurich time (UTC+1)"


class PagesDates(harness.ServerTestCase):
    NOW = harness.CALL1_OPEN

    def test_deadline_sentence_on_a_french_call_page(self):
        page = self.server.get("/calls/1", headers=FR).text
        self.assertIn(FR_DEADLINE, page)
        self.assertNotIn("Zurich time", page)
        self.assertNotIn("February", page)

    def test_english_call_page_unchanged(self):
        page = self.server.get("/calls/1").text
        self.assertIn(EN_DEADLINE, page)
        self.assertNotIn("f\u00e9vrier", page)

    def test_schedule_ranges_in_french_and_english(self):
        fr = self.server.get("/processes/" + SLUG, headers=FR).text
        self.assertIn("8 juin 2021 \u2013 18 juin 2021", fr)
        self.assertNotIn("June 2021", fr)
        self.assertIn("8\u201318 June 2021", self.server.get("/processes/" + SLUG).text)

    def test_an_arabic_page_writes_all_its_numbers_in_one_kind_of_digits(self):
        """ICU's dates and the page's other numbers (days left, times of meetings, counts) in the same digits:
        ICU's old default for Arabic (Arabic-Indic) beside printf's Western digits read as two number systems."""
        for path in ("/calls/1", "/processes/" + SLUG, "/"):
            with self.subTest(path):
                page = self.server.get(path, headers={"Accept-Language": "ar"}).text
                self.assertIn('lang="ar"', page)
                main = html.unescape(re.sub(r"<[^>]+>", " ", page[page.index("<main"):]))
                self.assertRegex(main, r"[0-9]")
                self.assertNotRegex(main, r"[\u0660-\u0669\u06f0-\u06f9]", "no Arabic-Indic digit beside Western ones")
                self.assertIn("2021", main)  # the deadline's year, by ICU
