/*
 * process — a consultation process: the preparation of one text, with its
 * categories of stakeholders, and the lookup of everything it holds.
 */
#ifndef CONSULTA_CORE_PROCESS_H
#define CONSULTA_CORE_PROCESS_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stdint.h>

/* A category's name in one language, given by the secretariat (migration 034). */
struct category_name {
	const char *language; /* a BCP 47 tag, canonical (core/language.h): "fr" */
	const char *name;
};

struct category {
	int64_t id;
	const char *slug;
	/* The name the reader sees: in the thread's language (util/i18n.h: i18n_current()) if the secretariat gave
	 * one, else in the process's first language, else base_name. */
	const char *name;
	const char *base_name; /* the name as typed with the slug, whatever the language */
	/* Its names per language, loaded by process_category_names() only (else NULL, 0). */
	struct category_name *names;
	int nnames;
};

struct process {
	int64_t id;
	const char *slug;
	const char *title;
	const char *summary;
	const char *timezone; /* IANA name, e.g. Europe/Zurich */
	const char *languages; /* language tags separated by commas, e.g. "en,fr" */
	const char *body;      /* who runs the consultation, e.g. "The Council of ...", or "" */
	const char *secretariat; /* its secretariat and how to reach it, or "" */
	struct category *categories;
	int ncategories;
};

/* Creates a process; the slug is [a-z0-9-], the time zone an IANA name. */
int process_create(struct db *db, const char *slug, const char *title, const char *summary, const char *timezone,
		   int64_t *id, struct error *e);
/* Names who runs the process (body) and its secretariat, inside the caller's transaction, unchecked and
 * unrecorded: for loaders such as the demo (the secretariat's way is process_update()). */
int process_set_runners(struct db *db, int64_t id, const char *body, const char *secretariat, struct error *e);
int process_add_category(struct db *db, int64_t process_id, const char *slug, const char *name, int64_t *id,
			 struct error *e);

/* Finds by slug or id, with its categories; ERROR_NOT_FOUND if there is none. */
int process_find(struct db *db, struct arena *a, const char *slug, struct process *out, struct error *e);
int process_find_id(struct db *db, struct arena *a, int64_t id, struct process *out, struct error *e);
/* The same without the categories (none loaded, ncategories 0): for a page that
 * only names the process, one query instead of two (the second sorts). */
int process_find_id_bare(struct db *db, struct arena *a, int64_t id, struct process *out, struct error *e);
int process_list(struct db *db, struct arena *a, struct process **out, int *n, struct error *e);

/* Loads every category's names per language into p->categories[i].names (for the back office and the API). */
int process_category_names(struct db *db, struct arena *a, struct process *p, struct error *e);

/* The category of a process with this slug, or NULL. */
const struct category *process_category(const struct process *p, const char *slug);
/* Process process_id's category slug alone, named as process_find_id() names it (what a contribution's check
 * needs, without loading the process and every category): 1 (*out set), 0 when it has none of that slug (*out
 * NULL), -1 with e. */
int process_category_find(struct db *db, struct arena *a, int64_t process_id, const char *slug,
                          const struct category **out, struct error *e);
const struct category *process_category_id(const struct process *p, int64_t id);
/* The SQL of the one rule naming the category row alias cat to a reader whose language (a tag) is the statement's
 * parameter lang ("?2"): the secretariat's name in that language, else in the process's first (the first tag of
 * process.languages, held normal: "fr,en"), else the name typed with the slug. process_find() loads the
 * categories by it; a statement that reads a category's name from its rows (statistics) uses it too. */
#define PROCESS_CATEGORY_NAME_SQL(cat, lang)                                                                           \
	"coalesce((SELECT cr.name FROM category_name cr WHERE cr.category_id = " cat ".id AND cr.language = " lang     \
	"), (SELECT cf.name FROM category_name cf JOIN process cp ON cp.id = " cat ".process_id "                      \
	"WHERE cf.category_id = " cat                                                                                  \
	".id AND (cp.languages = cf.language OR cp.languages LIKE (cf.language || ',%'))"                              \
	"), " cat ".name)"

/* The one way a category is named to a reader, wherever it is shown (statistics, receipts, lists, feeds, the
 * office's pages): the name of p's category slug as process_find() loaded it — the secretariat's name in the
 * thread's language at that moment, else in the process's first language, else the name typed with the slug.
 * A page loads p in the reader's language; a mail loads it under its recipient's. fallback (the name a row
 * holds, as typed) when p has no such category loaded (one found with process_find_id_bare()). */
const char *process_category_name(const struct process *p, const char *slug, const char *fallback);

bool process_slug_valid(const char *slug);

/*
 * The back office. process_create() and process_add_category() above write
 * inside their caller's transaction and record nothing (for loaders such as
 * the demo); process_add() and process_update() are the secretariat's way in,
 * for the web pages and the API alike: each checks everything, reports every
 * bad field, and makes its change in one transaction with its audit entry.
 */

struct category_input {
	const char *slug; /* NULL or empty: made from the name ("Member States" -> member-states) */
	const char *name;
	/* Its names per language; set_names false: those it has are kept (a category added has none). */
	const struct category_name *names;
	int nnames;
	bool set_names;
};

/* A process as the secretariat sends it. For process_update(), a NULL member
 * (and set_categories false) leaves that part as it is. */
struct process_input {
	const char *slug; /* process_add() only: [a-z0-9-], 1 to 64 */
	const char *title;
	const char *summary;
	const char *timezone;
	const char *languages; /* tags separated by commas or spaces, "en, fr"; default "en" */
	const char *body;      /* who runs it: one line; "" clears it */
	const char *secretariat; /* its secretariat and how to reach it: one line; "" clears it */
	const struct category_input *categories;
	int ncategories;
	bool set_categories; /* process_update(): replace the list of categories by this one */
};

/* Creates a process with its categories (at least one); audit "process.create".
 * ERROR_CONFLICT if the slug is taken. */
int process_add(struct db *db, struct arena *a, const struct actor *who, const struct process_input *in,
		int64_t *id, struct error *e);

/* Edits the process with this slug; audit "process.update" with before and
 * after. Categories are matched by slug: a new one is added, a known one
 * renamed and reordered, and one left out removed, unless contributions or
 * letters refer to it (then "categories" says so). The time zone can change
 * only while the process has no call, whose deadlines were set in it. */
int process_update(struct db *db, struct arena *a, const struct actor *who, const char *slug,
		   const struct process_input *in, struct error *e);

/* The normal form of a list of language tags ("en, FR-ch" -> "en,fr-CH"), or
 * NULL with a message for `field` in e. */
const char *process_languages_normal(struct arena *a, const char *languages, const char *field, struct error *e);

/* The process's first language (the first tag of p->languages, "en" if it names none), in a: the language of
 * its documents' and letters' own texts. */
const char *process_first_language(struct arena *a, const struct process *p);

/* The language of a text given beside one in the process's first language (a version's text, a letter's):
 * language (trimmed) normalised into tag (core/language.h). Returns 1 when it is one of p's languages other than
 * its first; 0 when it is p's first language (no message: the caller says what its own text is in); -1 with a
 * field error on "language" when it is no tag or not one of p's languages. */
int process_other_language(struct arena *a, const struct process *p, const char *language, char tag[16],
			   struct error *e);

#endif
