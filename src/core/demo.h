/*
 * demo — the reference process, built from the facts of ITU circular letter
 * CL-20/55 (the preparation of the Draft Guidelines for utilization of the
 * GCA), through the same core functions a secretariat uses.
 *
 * Loading is idempotent: if the process already exists nothing changes.
 * In live mode every date moves by one whole number of days so that the call
 * on the 5 May 2020 version is open today and closes 14 days from now.
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

/* Loads the demo; *loaded says whether it was new. *offset_days is the shift applied. */
int demo_load(struct db *db, bool live, bool *loaded, int64_t *offset_days, struct error *e);

#endif
