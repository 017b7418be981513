/*
 * demo — the reference process, built from the facts of ITU circular letter
 * CL-20/55 (the preparation of the Draft Guidelines for utilization of the
 * GCA), through the same core functions a secretariat uses.
 *
 * Loading is idempotent: if the process already exists nothing changes.
 * In live mode every date moves by one whole number of days so that the call
 * on the 5 May 2020 version is open today and closes 14 days from now, and the
 * years that texts name move with them (a letter's number CL-YY/N, the
 * Council session that was missed and the reason of that move).
 */
#ifndef CONSULTA_CORE_DEMO_H
#define CONSULTA_CORE_DEMO_H

#include "store/db.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

#define DEMO_SLUG "gca-guidelines"
#define DEMO_TIMEZONE "Europe/Zurich"
/* The e-mail channels of the demo's two calls (the .example domain is reserved: RFC 2606). */
#define DEMO_EMAIL_WRITTEN "written-inputs@gca-demo.example"
#define DEMO_EMAIL_FINAL "final-inputs@gca-demo.example"
/* The demo's secretariat: with the sample contributions, it answers the first call's comments. `make run` makes
 * it (DEMO_SECRETARIAT) with a password before the demo; without it the demo makes it with none (set one with
 * `consulta user password`). */
#define DEMO_SECRETARIAT_EMAIL "secretariat@gca-demo.example"

/* Loads the demo; *loaded says whether it was new. *offset_days is the shift applied. */
int demo_load(struct db *db, bool live, bool *loaded, int64_t *offset_days, struct error *e);

struct demo_options {
	bool live; /* move the dates: see above */
	/* Sample contributions with comments on paragraphs, so that the comparison of the two versions and the
	 * comments carried forward show at once: a third call, "Inputs on the first draft" (closed, on the first
	 * version, its deadline on the schedule), with published contributions of several categories and
	 * countries commenting on paragraphs the revised draft changed, and a few on the open call's revised
	 * draft. They are received through contribution_receive() after the process is committed, each with
	 * the clock held at an instant inside its call (clock_hold); with their receipt mails queued to their
	 * made-up example.org addresses, as for any contribution. Then every comment of the call on the first
	 * draft is answered (disposition_record, by DEMO_SECRETARIAT_EMAIL) and the answers published
	 * (disposition_publish, on the revised draft's day), which queues their fate mails. */
	bool contributions;
};
/* demo_load() with options; the process's existence alone decides whether anything is loaded, so that a
 * second run changes nothing (with or without the options). */
int demo_load_with(struct db *db, const struct demo_options *o, bool *loaded, int64_t *offset_days,
		   struct error *e);

#endif
