/*
 * subscription_stub — TEMPORARY no-op subscription_notify() until the real
 * core/subscription.c lands. It is a weak symbol, so the real definition wins
 * at link time if both are built; delete this file (and its line in
 * meson.build) then.
 */
#include "core/subscription.h"

__attribute__((weak)) int subscription_notify(struct db *db, struct arena *a, int64_t process_id,
					      const char *subject, const char *body, struct error *e)
{
	(void)db;
	(void)a;
	(void)process_id;
	(void)subject;
	(void)body;
	(void)e;
	return 0;
}
