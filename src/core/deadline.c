/* deadline — see deadline.h. */
#include "core/deadline.h"

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

int deadline_describe(struct arena *a, const struct call *c, int64_t now, struct deadline *out)
{
	memset(out, 0, sizeof *out);
	char when[TZ_HUMAN_LEN], opens[TZ_HUMAN_LEN];
	tz_format_human(c->timezone, c->closes_at, when);
	tz_format_human(c->timezone, c->opens_at, opens);
	clock_format_rfc3339(c->closes_at, out->closes_utc);
	clock_format_rfc3339(c->opens_at, out->opens_utc);
	out->state = call_state_at(c, now);
	out->when = arena_strdup(a, when);
	out->when_opens = arena_strdup(a, opens);
	switch (out->state) {
	case CALL_UPCOMING: out->lead = arena_printf(a, "Opens on %s, open until", opens); break;
	case CALL_OPEN: {
		out->lead = "Open until";
		char today[11], last[11];
		struct tz_local l;
		if (tz_date_at(c->timezone, now, today) != 0 || tz_date_at(c->timezone, c->closes_at, last) != 0 ||
		    tz_utc_to_local(c->timezone, c->closes_at, &l) != 0) {
			/* an unknown zone: the instant in UTC says it all */
			out->left = NULL;
			break;
		}
		const int64_t days = days_between(today, last);
		out->left = days <= 0   ? arena_printf(a, "closes today at %02d:%02d", l.hour, l.minute)
		            : days == 1 ? "1 day left"
		                        : arena_printf(a, "%lld days left", (long long)days);
		break;
	}
	case CALL_CLOSED: out->lead = "Closed on"; break;
	}
	out->sentence = out->left ? arena_printf(a, "%s %s \u2014 %s", out->lead, out->when, out->left)
	                          : arena_printf(a, "%s %s", out->lead, out->when);
	return out->lead && out->when && out->when_opens && out->sentence ? 0 : -1;
}

const char *deadline_sentence(struct arena *a, const struct call *c, int64_t now)
{
	struct deadline d;
	return deadline_describe(a, c, now, &d) == 0 ? d.sentence : NULL;
}

const char *deadline_extension(struct arena *a, const struct call *c, const struct call_change *x)
{
	char on[11], on_long[32], from[TZ_HUMAN_LEN];
	if (tz_date_at(c->timezone, x->changed_at, on) == 0)
		clock_format_date_long(on, on_long);
	else
		snprintf(on_long, sizeof on_long, "%s", "");
	tz_format_human(c->timezone, x->from_closes_at, from);
	return arena_printf(a, "Extended%s%s from %s: %s", *on_long ? " on " : "", on_long, from, x->reason);
}
