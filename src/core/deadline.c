/* deadline — see deadline.h. */
#include "core/deadline.h"

#include "util/i18n.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

/* Whole calendar days from date a to date b ("YYYY-MM-DD"), or 0 if either is not a date. */
static int64_t days_between(const char *a, const char *b)
{
	int ya, ma, da, yb, mb, db;
	if (clock_parse_date(a, &ya, &ma, &da) != 0 || clock_parse_date(b, &yb, &mb, &db) != 0)
		return 0;
	return clock_days_from_civil(yb, mb, db) - clock_days_from_civil(ya, ma, da);
}

/* whole: every field; else the sentence and what it is made of (the opening only before it, no UTC instants):
 * a receipt's sentence is made for every contribution, and each instant in words costs a zone's lookups. */
static int describe(struct arena *a, const struct call *c, int64_t now, bool whole, struct deadline *out)
{
	memset(out, 0, sizeof *out);
	char when[I18N_DATE_LEN], opens[I18N_DATE_LEN] = "";
	out->state = call_state_at(c, now);
	i18n_instant_long(NULL, c->timezone, c->closes_at, when);
	if (whole || out->state == CALL_UPCOMING)
		i18n_instant_long(NULL, c->timezone, c->opens_at, opens);
	if (whole) {
		clock_format_rfc3339(c->closes_at, out->closes_utc);
		clock_format_rfc3339(c->opens_at, out->opens_utc);
	}
	out->when = arena_strdup(a, when);
	out->when_opens = arena_strdup(a, opens);
	/* Each state's sentence is whole for its translator; the lead is the same sentence up to the time, which
	 * a page sets in its own element. */
	switch (out->state) {
	case CALL_UPCOMING:
		out->lead = arena_printf(a, _("Opens on %s, open until"), opens);
		out->sentence = arena_printf(a, _("Opens on %1$s, open until %2$s"), opens, when);
		break;
	case CALL_OPEN: {
		out->lead = _("Open until");
		char today[11], last[11];
		struct tz_local l;
		if (tz_date_at(c->timezone, now, today) != 0 || tz_date_at(c->timezone, c->closes_at, last) != 0 ||
		    tz_utc_to_local(c->timezone, c->closes_at, &l) != 0) {
			/* an unknown zone: the instant in UTC says it all */
			out->left = NULL;
			out->sentence = arena_printf(a, _("Open until %s"), when);
			break;
		}
		const int64_t days = days_between(today, last);
		out->left = days <= 0 ? arena_printf(a, _("closes today at %02d:%02d"), l.hour, l.minute)
		                      : arena_printf(a, i18n_n("%lld day left", "%lld days left", (unsigned long)days),
		                                     (long long)days);
		/* TRANSLATORS: the deadline, then how long is left: "Open until 22 December 2026, 23:59 Zurich time
		 * (UTC+1) — 21 days left". */
		out->sentence = arena_printf(a, _("Open until %1$s \u2014 %2$s"), when, out->left ? out->left : "");
		break;
	}
	case CALL_CLOSED:
		out->lead = _("Closed on");
		out->sentence = arena_printf(a, _("Closed on %s"), when);
		break;
	}
	return out->lead && out->when && out->when_opens && out->sentence ? 0 : -1;
}

int deadline_describe(struct arena *a, const struct call *c, int64_t now, struct deadline *out)
{
	return describe(a, c, now, true, out);
}

const char *deadline_sentence(struct arena *a, const struct call *c, int64_t now)
{
	struct deadline d;
	return describe(a, c, now, false, &d) == 0 ? d.sentence : NULL;
}

const char *deadline_extension(struct arena *a, const struct call *c, const struct call_change *x)
{
	char on[11], on_long[I18N_DATE_LEN], from[I18N_DATE_LEN];
	if (tz_date_at(c->timezone, x->changed_at, on) == 0)
		i18n_date_long(NULL, on, on_long);
	else
		snprintf(on_long, sizeof on_long, "%s", "");
	i18n_instant_long(NULL, c->timezone, x->from_closes_at, from);
	/* TRANSLATORS: a call's deadline moved: when, from which deadline, and the secretariat's reason. */
	return *on_long ? arena_printf(a, _("Extended on %1$s from %2$s: %3$s"), on_long, from, x->reason)
	                : arena_printf(a, _("Extended from %1$s: %2$s"), from, x->reason);
}
