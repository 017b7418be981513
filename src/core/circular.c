/* circular — see circular.h. */
#include "core/circular.h"
#include "core/circular_document.h"
#include "core/account.h"

#include "core/blob.h"
#include "core/config.h"
#include "core/field.h"
#include "core/language.h"
#include "core/limits.h"
#include "core/milestone.h"
#include "core/process.h"
#include "core/outbox.h"
#include "core/search.h"
#include "core/subscription.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/tz.h"

#include <stddef.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const PURPOSE_NAMES[] = {[CIRCULAR_ACTION] = "action", [CIRCULAR_INFORMATION] = "information"};

const char *circular_purpose_name(enum circular_purpose p)
{
	return PURPOSE_NAMES[p];
}

bool circular_purpose_parse(const char *name, enum circular_purpose *out)
{
	const int i = field_enum_index(PURPOSE_NAMES, (int)(sizeof PURPOSE_NAMES / sizeof *PURPOSE_NAMES), name);
	if (i >= 0)
		*out = (enum circular_purpose)i;
	return i >= 0;
}

enum {
	CIRCULAR_PATTERN_MAX = 40,
	CIRCULAR_LIST_MAX = 50, /* categories or references named by one list of a draft */
};

static const char DEFAULT_PATTERN[] = "CL-{yy}/{n}";

static const char *sha256_hex(struct arena *a, const char *text);

/* -- recorded letters ------------------------------------------------------------------------------------ */

int circular_add(struct db *db, int64_t process_id, const char *reference, const char *date, const char *subject,
		 int64_t *id, struct error *e)
{
	int y, m, d;
	if (!reference || !*reference)
		error_field(e, "reference", _("Give the letter's reference, such as CL-20/55."));
	if (clock_parse_date(date, &y, &m, &d) != 0)
		error_field(e, "date", _("Give the date as YYYY-MM-DD."));
	if (!subject || !*subject)
		error_field(e, "subject", _("Give the letter's subject."));
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO circular (process_id, reference, date, subject) VALUES (?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, reference);
	db_bind_text(st, 3, date);
	db_bind_text(st, 4, subject);
	if (db_insert_id(st, id, e) != 0) {
		if (db_unique_violation(db))
			error_set(e, ERROR_CONFLICT, _("The letter %s is already recorded."), reference);
		return -1;
	}
	return search_letter_sync(db, *id, e);
}

static int add_addressee(struct db *db, int64_t circular_id, int64_t category_id, enum circular_purpose purpose,
			 struct error *e)
{
	static const char sql[] = "INSERT INTO circular_addressee (circular_id, category_id, purpose) VALUES (?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, circular_id);
	db_bind_int(st, 2, category_id);
	db_bind_text(st, 3, circular_purpose_name(purpose));
	return db_exec_stmt(st, e);
}

int circular_add_addressee(struct db *db, int64_t circular_id, int64_t category_id, struct error *e)
{
	return add_addressee(db, circular_id, category_id, CIRCULAR_ACTION, e);
}

static int circular_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	c->reference = db_col_dup(st, 1, a, &failed);
	c->date = db_col_dup(st, 2, a, &failed);
	c->subject = db_col_dup(st, 3, a, &failed);
	c->process_id = db_col_int(st, 4);
	return failed ? -1 : 0;
}

static int addressee_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int circular_list(struct db *db, struct arena *a, int64_t process_id, struct circular **out, int *n,
		  struct error *e)
{
	static const char sql[] = "SELECT id, reference, date, subject, process_id FROM circular "
				  "WHERE process_id = ? ORDER BY date, id";
	/* every letter's addressees in one statement (not a round trip per letter), the letter (the parent) last */
	static const char sql_to[] = "SELECT c.name, ca.circular_id FROM circular_addressee ca "
				     "JOIN category c ON c.id = ca.category_id JOIN circular l ON l.id = ca.circular_id "
				     "WHERE l.process_id = ? ORDER BY ca.circular_id, ca.purpose, c.position, c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	if (db_collect(st, a, (void **)out, n, sizeof **out, circular_from_row, e) != 0)
		return -1;
	if (*n == 0)
		return 0;
	if (!(st = db_stmt(db, sql_to, e)))
		return -1;
	db_bind_int(st, 1, process_id);
	const struct db_children c = {*out, *n, sizeof **out, offsetof(struct circular, id),
				      offsetof(struct circular, addressees), offsetof(struct circular, naddressees), 1};
	return db_collect_children(st, a, &c, sizeof *(*out)->addressees, addressee_from_row, e);
}

int circular_list_in(struct db *db, struct arena *a, struct circular *letters, int n, const char *language,
		     struct error *e)
{
	static const char sql[] = "SELECT t.circular_id, t.subject FROM circular_text t JOIN circular c ON c.id = "
				  "t.circular_id WHERE c.process_id = ? AND t.language = ?";
	if (n == 0 || !language || !*language)
		return 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, letters[0].process_id);
	db_bind_text(st, 2, language);
	enum db_step r;
	while ((r = db_step(st, e)) == DB_ROW) {
		const int64_t id = db_col_int(st, 0);
		for (int i = 0; i < n; i++)
			if (letters[i].id == id) {
				const char *subject = arena_strdup(a, db_col_text(st, 1));
				if (subject) {
					letters[i].subject = subject;
					letters[i].language = arena_strdup(a, language);
				}
			}
	}
	db_reset(st);
	return r == DB_DONE ? 0 : -1;
}

static int to_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_addressee *x = element;
	bool failed = false;
	x->slug = db_col_dup(st, 0, a, &failed);
	x->name = db_col_dup(st, 1, a, &failed);
	if (!circular_purpose_parse(db_col_text(st, 2), &x->purpose))
		return DB_FILL_UNKNOWN;
	return failed ? -1 : 0;
}

static int cite_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_cite *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->reference = db_col_dup(st, 1, a, &failed);
	x->date = db_col_dup(st, 2, a, &failed);
	x->subject = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

/* The rows of a frozen annex (JSON: an array of {title, date, end_date, status}) into c. */
static int annex_parse(struct arena *a, struct circular *c, struct error *e)
{
	json_error_t je;
	json_t *rows = json_loads(c->annex_json, 0, &je);
	if (!json_is_array(rows)) {
		json_decref(rows);
		error_set(e, ERROR_INTERNAL, "The annex of letter %s cannot be read.", c->reference);
		return -1;
	}
	c->nannex = (int)json_array_size(rows);
	c->annex = arena_alloc(a, sizeof *c->annex * (size_t)(c->nannex + 1));
	for (int i = 0; c->annex && i < c->nannex; i++) {
		json_t *r = json_array_get(rows, (size_t)i);
		const char *end = json_string_value(json_object_get(r, "end_date"));
		c->annex[i] = (struct circular_annex_row){
			.title = arena_strdup(a, json_string_value(json_object_get(r, "title"))),
			.date = arena_strdup(a, json_string_value(json_object_get(r, "date"))),
			.end_date = end ? arena_strdup(a, end) : NULL,
			.status = arena_strdup(a, json_string_value(json_object_get(r, "status"))),
		};
	}
	json_decref(rows);
	if (!c->annex) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return -1;
	}
	return 0;
}

static int letter_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular *c = element;
	bool failed = false;
	if (circular_from_row(a, st, element) != 0)
		return -1;
	c->markdown = db_col_dup(st, 5, a, &failed);
	c->contact = db_col_dup(st, 6, a, &failed);
	c->series = db_col_null(st, 7) ? NULL : db_col_dup(st, 7, a, &failed);
	c->number = db_col_int(st, 8);
	c->annex_json = db_col_null(st, 9) ? NULL : db_col_dup(st, 9, a, &failed);
	c->corrects.id = db_col_int(st, 10);
	c->issued_at = db_col_int(st, 11);
	return failed ? -1 : 0;
}

static int text_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_text *t = element;
	bool failed = false;
	t->language = db_col_dup(st, 0, a, &failed);
	t->subject = db_col_dup(st, 1, a, &failed);
	t->markdown = db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

/* The texts sql (its one parameter id) selects, in tag order. */
static int texts_collect(struct db *db, struct arena *a, const char *sql, int64_t id, struct circular_text **out,
			 int *n, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	*out = NULL;
	*n = 0;
	return db_collect(st, a, (void **)out, n, sizeof **out, text_from_row, e);
}

static int letter_texts(struct db *db, struct arena *a, int64_t circular_id, struct circular_text **out, int *n,
			struct error *e)
{
	static const char sql[] =
		"SELECT language, subject, markdown FROM circular_text WHERE circular_id = ? ORDER BY language";
	return texts_collect(db, a, sql, circular_id, out, n, e);
}

int circular_draft_texts(struct db *db, struct arena *a, int64_t id, struct circular_text **out, int *n,
			 struct error *e)
{
	static const char sql[] =
		"SELECT language, subject, markdown FROM circular_draft_text WHERE draft_id = ? ORDER BY language";
	return texts_collect(db, a, sql, id, out, n, e);
}

bool circular_use_text(struct circular *c, const char *language)
{
	for (int i = 0; language && i < c->ntexts; i++)
		if (!strcmp(c->texts[i].language, language)) {
			c->subject = c->texts[i].subject;
			c->markdown = c->texts[i].markdown;
			c->language = c->texts[i].language;
			return true;
		}
	return false;
}

static int cite_find(struct db *db, struct arena *a, int64_t id, struct circular_cite *out, struct error *e)
{
	static const char sql[] = "SELECT id, reference, date, subject FROM circular WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	return db_collect_one(st, a, out, cite_from_row, "There is no such letter.", e);
}

int circular_find(struct db *db, struct arena *a, int64_t id, struct circular *out, struct error *e)
{
	static const char sql[] = "SELECT id, reference, date, subject, process_id, markdown, contact, series, number, "
				  "annex, corrects_id, issued_at FROM circular WHERE id = ?";
	static const char sql_to[] =
		"SELECT c.slug, c.name, ca.purpose FROM circular_addressee ca JOIN category c ON c.id = ca.category_id "
		"WHERE ca.circular_id = ? ORDER BY ca.purpose, c.position, c.id";
	static const char sql_cites[] = "SELECT l.id, l.reference, l.date, l.subject FROM circular_reference r "
					"JOIN circular l ON l.id = r.cites_id WHERE r.circular_id = ? ORDER BY l.date, l.id";
	memset(out, 0, sizeof *out);
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (db_collect_one(st, a, out, letter_from_row, "There is no such letter.", e) != 0)
		return -1;
	if (!(st = db_stmt(db, sql_to, e)))
		return -1;
	db_bind_int(st, 1, id);
	if (db_collect(st, a, (void **)&out->to, &out->nto, sizeof *out->to, to_from_row, e) != 0)
		return -1;
	out->addressees = arena_alloc(a, sizeof *out->addressees * (size_t)(out->nto + 1));
	if (!out->addressees) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return -1;
	}
	for (int i = 0; i < out->nto; i++)
		out->addressees[i] = out->to[i].name;
	out->naddressees = out->nto;
	if (!(st = db_stmt(db, sql_cites, e)))
		return -1;
	db_bind_int(st, 1, id);
	if (db_collect(st, a, (void **)&out->cites, &out->ncites, sizeof *out->cites, cite_from_row, e) != 0)
		return -1;
	if (out->corrects.id && cite_find(db, a, out->corrects.id, &out->corrects, e) != 0)
		return -1;
	if (letter_texts(db, a, id, &out->texts, &out->ntexts, e) != 0)
		return -1;
	out->has_annex = out->annex_json != NULL;
	return out->has_annex ? annex_parse(a, out, e) : 0;
}

static int entry_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_entry *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->reference = db_col_dup(st, 1, a, &failed);
	if (db_col_null(st, 2)) { /* recorded before 026: its series is what comes before its last number */
		const char *ref = x->reference ? x->reference : "";
		size_t len = strlen(ref);
		while (len && ref[len - 1] >= '0' && ref[len - 1] <= '9')
			len--;
		while (len && strchr("/-. ", ref[len - 1]))
			len--;
		x->series = arena_strndup(a, ref, len);
	} else {
		x->series = db_col_dup(st, 2, a, &failed);
	}
	x->date = db_col_dup(st, 3, a, &failed);
	x->subject = db_col_dup(st, 4, a, &failed);
	x->process_slug = db_col_dup(st, 5, a, &failed);
	x->process_title = db_col_dup(st, 6, a, &failed);
	x->issued_at = db_col_int(st, 7);
	return failed || !x->series ? -1 : 0;
}

int circular_archive(struct db *db, struct arena *a, int limit, const char *language, struct circular_entry **out,
		     int *n, struct error *e)
{
	/* one row per letter: its text in language, if any, is one row of circular_text (its key) */
	static const char sql[] =
		"SELECT c.id, c.reference, c.series, c.date, COALESCE(t.subject, c.subject), p.slug, p.title, c.issued_at "
		"FROM circular c JOIN process p ON p.id = c.process_id "
		"LEFT JOIN circular_text t ON t.circular_id = c.id AND t.language = ? "
		"ORDER BY c.date DESC, c.id DESC LIMIT ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, language ? language : "");
	db_bind_int(st, 2, limit > 0 ? limit : INT64_MAX);
	return db_collect(st, a, (void **)out, n, sizeof **out, entry_from_row, e);
}

/* -- numbering ------------------------------------------------------------------------------------------- */

bool circular_pattern_valid(const char *pattern)
{
	if (!pattern || !*pattern || strlen(pattern) > CIRCULAR_PATTERN_MAX)
		return false;
	int numbers = 0;
	for (const char *p = pattern; *p;) {
		if (!strncmp(p, "{n}", 3)) {
			numbers++;
			p += 3;
		} else if (!strncmp(p, "{yyyy}", 6)) {
			p += 6;
		} else if (!strncmp(p, "{yy}", 4)) {
			p += 4;
		} else if (*p == '{' || *p == '}' || *p < 0x20 || *p > 0x7e) {
			return false;
		} else {
			p++;
		}
	}
	return numbers == 1;
}

int circular_pattern_format(struct arena *a, const char *pattern, int year, int64_t n, const char **series,
			    const char **reference)
{
	if (!circular_pattern_valid(pattern) || year < 0 || year > 9999)
		return -1;
	char ser[CIRCULAR_PATTERN_MAX + 16], ref[CIRCULAR_PATTERN_MAX + 40];
	size_t ns = 0, nr = 0;
	for (const char *p = pattern; *p;) {
		char piece[24];
		size_t len;
		bool number = false;
		if (!strncmp(p, "{n}", 3)) {
			snprintf(piece, sizeof piece, "%lld", (long long)n);
			number = true;
			p += 3;
		} else if (!strncmp(p, "{yyyy}", 6)) {
			snprintf(piece, sizeof piece, "%04d", year);
			p += 6;
		} else if (!strncmp(p, "{yy}", 4)) {
			snprintf(piece, sizeof piece, "%02d", year % 100);
			p += 4;
		} else {
			piece[0] = *p++;
			piece[1] = '\0';
		}
		len = strlen(piece);
		memcpy(ref + nr, piece, len);
		nr += len;
		if (!number) {
			memcpy(ser + ns, piece, len);
			ns += len;
		}
	}
	while (ns > 0 && strchr("/-. ", ser[ns - 1]))
		ns--;
	ser[ns] = '\0';
	ref[nr] = '\0';
	*series = arena_strdup(a, ser);
	*reference = arena_strdup(a, ref);
	return *series && *reference ? 0 : -1;
}

static int pattern_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int circular_pattern(struct db *db, struct arena *a, const char *body, const char **pattern, struct error *e)
{
	static const char sql[] = "SELECT pattern FROM letter_body WHERE body = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, body ? body : "");
	const char **found = NULL;
	int n = 0;
	if (db_collect(st, a, (void **)&found, &n, sizeof *found, pattern_from_row, e) != 0)
		return -1;
	*pattern = n ? found[0] : DEFAULT_PATTERN;
	return 0;
}

int circular_pattern_set(struct db *db, const char *body, const char *pattern, struct error *e)
{
	if (!circular_pattern_valid(pattern)) {
		error_field(e, "pattern",
		            _("Write the pattern with one {n} for the number, and {yy} or {yyyy} for the year if the "
		              "numbering restarts each year, such as CL-{yy}/{n}; at most 40 characters."));
		return -1;
	}
	static const char sql[] = "INSERT INTO letter_body (body, pattern) VALUES (?, ?) "
				  "ON CONFLICT (body) DO UPDATE SET pattern = excluded.pattern";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, body ? body : "");
	db_bind_text(st, 2, pattern);
	return db_exec_stmt(st, e);
}

int circular_counter_set(struct db *db, const char *body, const char *series, int64_t last, struct error *e)
{
	static const char sql[] = "INSERT INTO letter_counter (body, series, last) VALUES (?, ?, ?) "
				  "ON CONFLICT (body, series) DO UPDATE SET last = excluded.last";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, body ? body : "");
	db_bind_text(st, 2, series);
	db_bind_int(st, 3, last);
	return db_exec_stmt(st, e);
}

/* The next number of a series, taken inside the caller's write transaction: the counter row is made at 0
 * if the series is new, then incremented; the writers' lock orders concurrent issues. */
static int counter_next(struct db *db, const char *body, const char *series, int64_t *n, struct error *e)
{
	static const char sql_make[] = "INSERT INTO letter_counter (body, series, last) VALUES (?, ?, 0) "
				       "ON CONFLICT (body, series) DO NOTHING";
	static const char sql_next[] =
		"UPDATE letter_counter SET last = last + 1 WHERE body = ? AND series = ? RETURNING last";
	struct db_stmt *st = db_stmt(db, sql_make, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, body);
	db_bind_text(st, 2, series);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_next, e)))
		return -1;
	db_bind_text(st, 1, body);
	db_bind_text(st, 2, series);
	enum db_step r = db_step(st, e);
	if (r != DB_ROW) {
		db_reset(st);
		if (r == DB_DONE)
			error_set(e, ERROR_INTERNAL, "The counter of series %s was not found.", series);
		return -1;
	}
	*n = db_col_int(st, 0);
	db_reset(st);
	return 0;
}

/* -- drafts ---------------------------------------------------------------------------------------------- */

/* The items of a list (separated by commas, semicolons or white space), at most CIRCULAR_LIST_MAX. */
static int list_split(struct arena *a, const char *s, const char ***items, int *n)
{
	*items = arena_alloc(a, sizeof **items * (CIRCULAR_LIST_MAX + 1));
	*n = 0;
	if (!*items)
		return -1;
	while (s && *s) {
		s += strspn(s, ",; \t\r\n");
		size_t len = strcspn(s, ",; \t\r\n");
		if (!len)
			break;
		if (*n == CIRCULAR_LIST_MAX)
			return -1;
		(*items)[(*n)++] = arena_strndup(a, s, len);
		s += len;
	}
	return 0;
}

/* Checks a list of category slugs against the process: the list in its normal form ("a,b"), or NULL with a
 * field error. */
static const char *categories_normal(struct arena *a, const struct process *p, const char *field, const char *list,
				     struct error *e)
{
	const char **items;
	int n;
	if (list_split(a, list, &items, &n) != 0) {
		error_field(e, field, _("Name at most 50 categories."));
		return NULL;
	}
	const char *result = "";
	for (int i = 0; i < n; i++) {
		if (!process_category(p, items[i])) {
			error_field(e, field, _("There is no category %s in this process."), items[i]);
			return NULL;
		}
		for (int k = 0; k < i; k++)
			if (!strcmp(items[k], items[i])) {
				error_field(e, field, _("The category %s is named twice."), items[i]);
				return NULL;
			}
		result = arena_printf(a, "%s%s%s", result, i ? "," : "", items[i]);
	}
	return result;
}

/* The issued letter with this reference, this process's first; ERROR_NOT_FOUND (as a field error) if none. */
static int letter_by_reference(struct db *db, struct arena *a, int64_t process_id, const char *field,
			       const char *reference, struct circular_cite *out, struct error *e)
{
	static const char sql[] = "SELECT id, reference, date, subject FROM circular WHERE reference = ? "
				  "ORDER BY CASE WHEN process_id = ? THEN 0 ELSE 1 END, id LIMIT 1";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, reference);
	db_bind_int(st, 2, process_id);
	struct circular_cite *found = NULL;
	int n = 0;
	if (db_collect(st, a, (void **)&found, &n, sizeof *found, cite_from_row, e) != 0)
		return -1;
	if (!n) {
		error_field(e, field, _("There is no issued letter %s."), reference);
		return -1;
	}
	*out = found[0];
	return 0;
}

/* Checks a list of references; its normal form, or NULL with a field error. cites (may be NULL) gets the
 * letters. */
static const char *references_normal(struct db *db, struct arena *a, int64_t process_id, const char *list,
				     struct circular_cite **cites, int *ncites, struct error *e)
{
	const char **items;
	int n;
	if (list_split(a, list, &items, &n) != 0) {
		error_field(e, "references", _("Name at most 50 letters."));
		return NULL;
	}
	struct circular_cite *found = arena_alloc(a, sizeof *found * (size_t)(n + 1));
	if (!found) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return NULL;
	}
	const char *result = "";
	for (int i = 0; i < n; i++) {
		if (letter_by_reference(db, a, process_id, "references", items[i], &found[i], e) != 0)
			return NULL;
		result = arena_printf(a, "%s%s%s", result, i ? "," : "", items[i]);
	}
	if (cites) {
		*cites = found;
		*ncites = n;
	}
	return result;
}

/* Checks and normalises a draft's input into d (members left NULL in `in` keep d's). */
static int draft_apply(struct db *db, struct arena *a, const struct process *p, const struct circular_input *in,
		       struct circular_draft *d, struct error *e)
{
	if (in->subject) {
		d->subject = field_trimmed(a, in->subject);
		field_check_line(e, "subject", d->subject, false, LIMIT_TITLE, N_("the letter's subject"));
	}
	if (in->markdown) {
		d->markdown = in->markdown;
		field_check_text(e, "markdown", d->markdown, false, LIMIT_SITE_PAGE, N_("the letter's text"));
	}
	if (in->contact) {
		d->contact = field_trimmed(a, in->contact);
		field_check_text(e, "contact", d->contact, false, LIMIT_SUMMARY,
		                 N_("whom to contact about the letter"));
	}
	if (in->for_action) {
		const char *v = categories_normal(a, p, "for_action", in->for_action, e);
		if (v)
			d->for_action = v;
	}
	if (in->for_information) {
		const char *v = categories_normal(a, p, "for_information", in->for_information, e);
		if (v)
			d->for_information = v;
	}
	if (in->references) {
		const char *v = references_normal(db, a, p->id, in->references, NULL, NULL, e);
		if (v)
			d->references = v;
	}
	if (in->corrects) {
		const char *ref = field_trimmed(a, in->corrects);
		struct circular_cite c;
		if (!ref || !*ref)
			d->corrects = "";
		else if (letter_by_reference(db, a, p->id, "corrects", ref, &c, e) == 0)
			d->corrects = c.reference;
	}
	if (in->schedule_annex >= 0)
		d->schedule_annex = in->schedule_annex != 0;
	/* a category is addressed for action or for information, not both */
	if (!e->code && d->for_action && d->for_information) {
		const char **x, **y;
		int nx, ny;
		if (list_split(a, d->for_action, &x, &nx) == 0 && list_split(a, d->for_information, &y, &ny) == 0)
			for (int i = 0; i < nx; i++)
				for (int k = 0; k < ny; k++)
					if (!strcmp(x[i], y[k]))
						error_field(e, "for_information",
						            _("The category %s is already addressed for action."),
						            x[i]);
	}
	return e->code ? -1 : 0;
}

static json_t *draft_json(const struct circular_draft *d)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "subject", d->subject, "markdown", d->markdown, "contact",
			 d->contact, "for_action", d->for_action, "for_information", d->for_information, "references",
			 d->references, "corrects", d->corrects, "schedule_annex", d->schedule_annex);
}

static int draft_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_draft *d = element;
	bool failed = false;
	d->id = db_col_int(st, 0);
	d->process_id = db_col_int(st, 1);
	d->subject = db_col_dup(st, 2, a, &failed);
	d->markdown = db_col_dup(st, 3, a, &failed);
	d->contact = db_col_dup(st, 4, a, &failed);
	d->for_action = db_col_dup(st, 5, a, &failed);
	d->for_information = db_col_dup(st, 6, a, &failed);
	d->references = db_col_dup(st, 7, a, &failed);
	d->corrects = db_col_null(st, 8) ? "" : db_col_dup(st, 8, a, &failed);
	d->schedule_annex = db_col_int(st, 9) != 0;
	d->created_at = db_col_int(st, 10);
	d->updated_at = db_col_int(st, 11);
	d->circular_id = db_col_int(st, 12);
	d->issued_reference = db_col_null(st, 13) ? NULL : db_col_dup(st, 13, a, &failed);
	return failed ? -1 : 0;
}

#define DRAFT_SELECT                                                                                               \
	"SELECT d.id, d.process_id, d.subject, d.markdown, d.contact, d.for_action, d.for_information, d.refs, "   \
	"k.reference, d.schedule_annex, d.created_at, d.updated_at, d.circular_id, l.reference "                   \
	"FROM circular_draft d LEFT JOIN circular k ON k.id = d.corrects_id "                                      \
	"LEFT JOIN circular l ON l.id = d.circular_id "

int circular_draft_find(struct db *db, struct arena *a, int64_t id, struct circular_draft *out, struct error *e)
{
	static const char sql[] = DRAFT_SELECT "WHERE d.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	return db_collect_one(st, a, out, draft_from_row, "There is no such draft letter.", e);
}

int circular_draft_list(struct db *db, struct arena *a, int64_t process_id, struct circular_draft **out, int *n,
			struct error *e)
{
	static const char sql[] = DRAFT_SELECT "WHERE d.process_id = ? AND d.circular_id IS NULL ORDER BY d.id DESC";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	return db_collect(st, a, (void **)out, n, sizeof **out, draft_from_row, e);
}

/* Writes d's columns (an insert when d->id is 0). */
static int draft_store(struct db *db, struct circular_draft *d, struct error *e)
{
	static const char sql_insert[] =
		"INSERT INTO circular_draft (process_id, subject, markdown, contact, for_action, for_information, refs, "
		"corrects_id, schedule_annex, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		"(SELECT id FROM circular WHERE reference = ?8 ORDER BY CASE WHEN process_id = ?1 THEN 0 ELSE 1 END, id "
		"LIMIT 1), ?9, ?10, ?10) RETURNING id";
	static const char sql_update[] =
		"UPDATE circular_draft SET subject = ?2, markdown = ?3, contact = ?4, for_action = ?5, "
		"for_information = ?6, refs = ?7, corrects_id = (SELECT id FROM circular WHERE reference = ?8 "
		"ORDER BY CASE WHEN process_id = ?1 THEN 0 ELSE 1 END, id LIMIT 1), schedule_annex = ?9, "
		"updated_at = ?10 WHERE id = ?11 AND circular_id IS NULL";
	struct db_stmt *st = db_stmt(db, d->id ? sql_update : sql_insert, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, d->process_id);
	db_bind_text(st, 2, d->subject);
	db_bind_text(st, 3, d->markdown);
	db_bind_text(st, 4, d->contact);
	db_bind_text(st, 5, d->for_action);
	db_bind_text(st, 6, d->for_information);
	db_bind_text(st, 7, d->references);
	db_bind_text(st, 8, d->corrects);
	db_bind_int(st, 9, d->schedule_annex);
	db_bind_int(st, 10, clock_now());
	if (!d->id)
		return db_insert_id(st, &d->id, e);
	db_bind_int(st, 11, d->id);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	if (db_changes(db) != 1) {
		error_set(e, ERROR_CONFLICT, _("This letter is issued: it cannot be changed; issue a corrigendum."));
		return -1;
	}
	return 0;
}

int circular_draft_create(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
			  const struct circular_input *in, int64_t *id, struct error *e)
{
	struct circular_draft d = {.process_id = process_id, .subject = "", .markdown = "", .contact = "",
				   .for_action = "", .for_information = "", .references = "", .corrects = ""};
	struct process p;
	if (db_begin(db, e) != 0)
		return -1;
	if (process_find_id(db, a, process_id, &p, e) != 0 || draft_apply(db, a, &p, in, &d, e) != 0 ||
	    draft_store(db, &d, e) != 0 ||
	    audit_record(db, who, process_id, "circular.draft", arena_printf(a, "circular_draft:%lld", (long long)d.id),
			 NULL, audit_json(a, draft_json(&d)), e) != 0 ||
	    db_commit(db, e) != 0) {
		db_rollback(db);
		return -1;
	}
	if (id)
		*id = d.id;
	return 0;
}

/* Begins the transaction of a change to draft id, which it loads into d: -1 (rolled back) if there is none, or
 * ERROR_CONFLICT if it is issued (an issued letter never changes, nor do its texts). */
static int draft_change_begin(struct db *db, struct arena *a, int64_t id, struct circular_draft *d, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	if (circular_draft_find(db, a, id, d, e) == 0 && d->circular_id)
		error_set(e, ERROR_CONFLICT, _("This letter is issued as %s: it cannot be changed; issue a corrigendum."),
			  d->issued_reference);
	if (!e->code)
		return 0;
	db_rollback(db);
	return -1;
}

int circular_draft_update(struct db *db, struct arena *a, const struct actor *who, int64_t id,
			  const struct circular_input *in, struct error *e)
{
	struct circular_draft d;
	struct process p;
	if (draft_change_begin(db, a, id, &d, e) != 0)
		return -1;
	const char *before = audit_json(a, draft_json(&d));
	if (process_find_id(db, a, d.process_id, &p, e) != 0 || draft_apply(db, a, &p, in, &d, e) != 0 ||
	    draft_store(db, &d, e) != 0 ||
	    audit_record(db, who, d.process_id, "circular.edit", arena_printf(a, "circular_draft:%lld", (long long)id),
			 before, audit_json(a, draft_json(&d)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int circular_draft_text_put(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *language,
			    const char *subject, const char *markdown, struct error *e)
{
	static const char sql_put[] =
		"INSERT INTO circular_draft_text (draft_id, language, subject, markdown, updated_at) VALUES (?, ?, ?, ?, ?) "
		"ON CONFLICT (draft_id, language) DO UPDATE SET subject = excluded.subject, markdown = excluded.markdown, "
		"updated_at = excluded.updated_at";
	static const char sql_remove[] = "DELETE FROM circular_draft_text WHERE draft_id = ? AND language = ?";
	struct circular_draft d;
	struct process p;
	char tag[LANGUAGE_TAG_LEN];
	subject = field_trimmed(a, subject ? subject : "");
	markdown = markdown ? markdown : "";
	const bool removing = subject && !*subject && !*field_trimmed(a, markdown);
	if (draft_change_begin(db, a, id, &d, e) != 0)
		return -1;
	if (process_find_id(db, a, d.process_id, &p, e) != 0)
		goto fail;
	const int place = process_other_language(a, &p, language, tag, e);
	if (place == 0)
		error_field(e, "language", _("The letter's own subject and text are in %s, the process's first language."),
			    tag);
	if (place < 0 && removing && *tag)
		error_clear(e); /* a text in a language the process no longer has may still be taken away */
	else if (place <= 0)
		goto fail;
	if (!removing) {
		field_check_line(e, "subject", subject, true, LIMIT_TITLE, N_("the letter's subject"));
		field_check_text(e, "markdown", markdown, true, LIMIT_SITE_PAGE, N_("the letter's text"));
		if (e->code)
			goto fail;
	}
	struct db_stmt *st = db_stmt(db, removing ? sql_remove : sql_put, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, tag);
	if (!removing) {
		db_bind_text(st, 3, subject);
		db_bind_text(st, 4, markdown);
		db_bind_int(st, 5, clock_now());
	}
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	const char *after = audit_json(a, removing ? json_pack("{s:s,s:n}", "language", tag, "subject")
						   : json_pack("{s:s,s:s,s:s}", "language", tag, "subject", subject,
							       "text_sha256", sha256_hex(a, markdown)));
	if (audit_record(db, who, d.process_id, "circular.text", arena_printf(a, "circular_draft:%lld", (long long)id),
			 NULL, after, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* The live schedule as an annex: JSON text, and its rows. */
static int annex_make(struct db *db, struct arena *a, int64_t process_id, struct circular *c, struct error *e)
{
	struct milestone *ms;
	int n;
	if (milestone_list(db, a, process_id, &ms, &n, e) != 0)
		return -1;
	json_t *rows = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:s,s:s,s:o,s:s}", "title", ms[i].title, "date", ms[i].date,
						      "end_date", ms[i].end_date ? json_string(ms[i].end_date) : json_null(),
						      "status", milestone_status_name(ms[i].status)));
	c->annex_json = audit_json(a, rows);
	if (!c->annex_json) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return -1;
	}
	c->has_annex = true;
	return annex_parse(a, c, e);
}

/* The letter a draft makes (reference and date left to the caller): addressees, references, annex. */
static int draft_letter(struct db *db, struct arena *a, const struct process *p, const struct circular_draft *d,
			struct circular *c, struct error *e)
{
	memset(c, 0, sizeof *c);
	c->process_id = p->id;
	c->subject = d->subject;
	c->markdown = d->markdown;
	c->contact = d->contact;
	const char **act, **inf;
	int nact, ninf;
	if (list_split(a, d->for_action, &act, &nact) != 0 || list_split(a, d->for_information, &inf, &ninf) != 0 ||
	    !(c->to = arena_alloc(a, sizeof *c->to * (size_t)(nact + ninf + 1))) ||
	    !(c->addressees = arena_alloc(a, sizeof *c->addressees * (size_t)(nact + ninf + 1)))) {
		error_set(e, ERROR_INTERNAL, "out of memory");
		return -1;
	}
	for (int i = 0; i < nact + ninf; i++) {
		const char *slug = i < nact ? act[i] : inf[i - nact];
		const struct category *cat = process_category(p, slug);
		if (!cat) {
			error_field(e, i < nact ? "for_action" : "for_information",
			            _("There is no category %s in this process."), slug);
			return -1;
		}
		c->to[c->nto++] = (struct circular_addressee){cat->slug, cat->name,
							       i < nact ? CIRCULAR_ACTION : CIRCULAR_INFORMATION};
		c->addressees[c->naddressees++] = cat->name;
	}
	if (!references_normal(db, a, p->id, d->references, &c->cites, &c->ncites, e))
		return -1;
	if (*d->corrects && letter_by_reference(db, a, p->id, "corrects", d->corrects, &c->corrects, e) != 0)
		return -1;
	return d->schedule_annex ? annex_make(db, a, p->id, c, e) : 0;
}

int circular_draft_preview(struct db *db, struct arena *a, int64_t id, struct circular *out, struct error *e)
{
	struct circular_draft d;
	struct process p;
	char today[11];
	if (circular_draft_find(db, a, id, &d, e) != 0 || process_find_id(db, a, d.process_id, &p, e) != 0 ||
	    draft_letter(db, a, &p, &d, out, e) != 0)
		return -1;
	if (tz_date_at(p.timezone, clock_now(), today) != 0) {
		error_set(e, ERROR_INTERNAL, "The process's time zone %s is unknown.", p.timezone);
		return -1;
	}
	/* TRANSLATORS: in a draft letter's preview, where its number will be once it is issued */
	out->reference = _("(number on issue)");
	out->date = arena_strdup(a, today);
	return out->date ? 0 : -1;
}

static const char *sha256_hex(struct arena *a, const char *text)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
	char *hex = arena_alloc(a, 2 * sizeof digest + 1);
	if (hex)
		sodium_bin2hex(hex, 2 * sizeof digest + 1, digest, sizeof digest);
	return hex;
}

/* The canonical facts of an issued letter: the after of its audit entry, which is its ledger leaf. */
static json_t *issue_json(struct arena *a, const struct process *p, const struct circular *c)
{
	json_t *act = json_array(), *inf = json_array(), *refs = json_array();
	for (int i = 0; i < c->nto; i++)
		json_array_append_new(c->to[i].purpose == CIRCULAR_ACTION ? act : inf, json_string(c->to[i].slug));
	for (int i = 0; i < c->ncites; i++)
		json_array_append_new(refs, json_string(c->cites[i].reference));
	json_t *facts =
		json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:o}", "id", (json_int_t)c->id, "process",
			  p->slug, "reference", c->reference, "series", c->series, "number", (json_int_t)c->number,
			  "date", c->date, "subject", c->subject, "for_action", act, "for_information", inf,
			  "references", refs, "corrects",
			  c->corrects.id ? json_string(c->corrects.reference) : json_null(), "text_sha256",
			  sha256_hex(a, c->markdown), "annex_sha256",
			  c->annex_json ? json_string(sha256_hex(a, c->annex_json)) : json_null());
	/* its texts in other languages, each frozen as its own is (a letter without any has no member: the facts
	 * of the letters issued before migration 039 keep their shape) */
	if (facts && c->ntexts) {
		json_t *texts = json_object();
		for (int i = 0; i < c->ntexts; i++)
			json_object_set_new(texts, c->texts[i].language,
					    json_pack("{s:s,s:s}", "subject", c->texts[i].subject, "text_sha256",
						      sha256_hex(a, c->texts[i].markdown)));
		json_object_set_new(facts, "texts", texts);
	}
	return facts;
}

static int letter_insert(struct db *db, const struct process *p, struct circular *c, struct error *e)
{
	static const char sql[] =
		"INSERT INTO circular (process_id, reference, date, subject, markdown, contact, series, number, annex, "
		"corrects_id, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
	static const char sql_cite[] = "INSERT INTO circular_reference (circular_id, cites_id) VALUES (?, ?)";
	static const char sql_text[] =
		"INSERT INTO circular_text (circular_id, language, subject, markdown) VALUES (?, ?, ?, ?)";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, p->id);
	db_bind_text(st, 2, c->reference);
	db_bind_text(st, 3, c->date);
	db_bind_text(st, 4, c->subject);
	db_bind_text(st, 5, c->markdown);
	db_bind_text(st, 6, c->contact);
	db_bind_text(st, 7, c->series);
	db_bind_int(st, 8, c->number);
	db_bind_text(st, 9, c->annex_json);
	if (c->corrects.id)
		db_bind_int(st, 10, c->corrects.id);
	else
		db_bind_null(st, 10);
	db_bind_int(st, 11, c->issued_at);
	if (db_insert_id(st, &c->id, e) != 0) {
		if (db_unique_violation(db))
			error_set(e, ERROR_CONFLICT, _("A letter %s is already recorded in this process."),
			          c->reference);
		return -1;
	}
	for (int i = 0; i < c->nto; i++) {
		const struct category *cat = process_category(p, c->to[i].slug);
		if (add_addressee(db, c->id, cat->id, c->to[i].purpose, e) != 0)
			return -1;
	}
	for (int i = 0; i < c->ncites; i++) {
		if (!(st = db_stmt(db, sql_cite, e)))
			return -1;
		db_bind_int(st, 1, c->id);
		db_bind_int(st, 2, c->cites[i].id);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	for (int i = 0; i < c->ntexts; i++) {
		if (!(st = db_stmt(db, sql_text, e)))
			return -1;
		db_bind_int(st, 1, c->id);
		db_bind_text(st, 2, c->texts[i].language);
		db_bind_text(st, 3, c->texts[i].subject);
		db_bind_text(st, 4, c->texts[i].markdown);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

/* The addresses of a letter's mails (circular_delivery), in the issuing transaction: the process's confirmed
 * subscribers, then the confirmed stakeholders of its addressed categories; one row per address. */
static int deliveries_write(struct db *db, const struct circular *c, struct error *e)
{
	static const char sql_subscribers[] =
		"INSERT INTO circular_delivery (circular_id, email, subscription_id) "
		"SELECT CAST(?1 AS INTEGER), lower(s.email), min(s.id) FROM subscription s "
		"WHERE s.process_id = CAST(?2 AS INTEGER) AND s.confirmed_at IS NOT NULL AND s.left_at IS NULL GROUP BY lower(s.email) "
		"ON CONFLICT (circular_id, email) DO NOTHING";
	static const char sql_stakeholders[] =
		"INSERT INTO circular_delivery (circular_id, email) "
		"SELECT DISTINCT CAST(?1 AS INTEGER), lower(a.email) FROM account a "
		"WHERE a.role = 'stakeholder' AND a.email_confirmed_at IS NOT NULL AND a.category IN "
		"(SELECT k.slug FROM circular_addressee ca JOIN category k ON k.id = ca.category_id "
		"WHERE ca.circular_id = ?1) "
		"ON CONFLICT (circular_id, email) DO NOTHING";
	struct db_stmt *st = db_stmt(db, sql_subscribers, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, c->id);
	db_bind_int(st, 2, c->process_id);
	if (db_exec_stmt(st, e) != 0 || !(st = db_stmt(db, sql_stakeholders, e)))
		return -1;
	db_bind_int(st, 1, c->id);
	return db_exec_stmt(st, e);
}

int circular_issue(struct db *db, struct arena *a, const struct actor *who, int64_t draft_id,
		   int64_t *circular_id, struct error *e)
{
	static const char sql_done[] = "UPDATE circular_draft SET circular_id = ? WHERE id = ? AND circular_id IS NULL";
	struct circular_draft d;
	struct process p;
	struct circular c;
	char today[11];
	int y, m, day;
	if (db_begin(db, e) != 0)
		return -1;
	if (circular_draft_find(db, a, draft_id, &d, e) != 0)
		goto fail;
	if (d.circular_id) {
		error_set(e, ERROR_CONFLICT, _("This draft is issued already, as %s."), d.issued_reference);
		goto fail;
	}
	if (!*d.subject)
		error_field(e, "subject", _("Give the letter's subject before issuing it."));
	if (!*field_trimmed(a, d.markdown))
		error_field(e, "markdown", _("Write the letter's text before issuing it."));
	if (!*d.for_action)
		error_field(e, "for_action", _("Name at least one category the letter is addressed to for action."));
	if (e->code)
		goto fail;
	const char *pattern;
	if (process_find_id(db, a, d.process_id, &p, e) != 0 || draft_letter(db, a, &p, &d, &c, e) != 0 ||
	    circular_pattern(db, a, p.body, &pattern, e) != 0 ||
	    circular_draft_texts(db, a, draft_id, &c.texts, &c.ntexts, e) != 0)
		goto fail;
	for (int i = 0; i < c.ntexts; i++) {
		char tag[LANGUAGE_TAG_LEN];
		struct error none;
		error_clear(&none);
		if (process_other_language(a, &p, c.texts[i].language, tag, &none) != 1)
			error_field(e, "language",
				    _("The draft has a text in %s, which is no longer one of the process's other languages: "
				      "remove that text, or add the language to the process again."),
				    c.texts[i].language);
	}
	if (e->code)
		goto fail;
	c.issued_at = clock_now();
	if (tz_date_at(p.timezone, c.issued_at, today) != 0 || clock_parse_date(today, &y, &m, &day) != 0) {
		error_set(e, ERROR_INTERNAL, "The process's time zone %s is unknown.", p.timezone);
		goto fail;
	}
	c.date = arena_strdup(a, today);
	const char *series, *reference;
	if (circular_pattern_format(a, pattern, y, 0, &series, &reference) != 0) {
		error_set(e, ERROR_INTERNAL, "The letters' pattern %s is not valid.", pattern);
		goto fail;
	}
	if (counter_next(db, p.body, series, &c.number, e) != 0 ||
	    circular_pattern_format(a, pattern, y, c.number, &c.series, &c.reference) != 0 ||
	    letter_insert(db, &p, &c, e) != 0)
		goto fail;
	struct db_stmt *st = db_stmt(db, sql_done, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, c.id);
	db_bind_int(st, 2, draft_id);
	if (db_exec_stmt(st, e) != 0 || deliveries_write(db, &c, e) != 0 || search_letter_sync(db, c.id, e) != 0 ||
	    audit_record(db, who, p.id, "circular.issue", arena_printf(a, "circular:%lld", (long long)c.id), NULL,
			 audit_json(a, issue_json(a, &p, &c)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	if (circular_id)
		*circular_id = c.id;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* -- the PDF and the letterhead ------------------------------------------------------------------------- */

static int letterhead_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_letterhead *x = element;
	bool failed = false;
	x->address = db_col_dup(st, 0, a, &failed);
	x->logo_blob = db_col_null(st, 1) ? NULL : db_col_dup(st, 1, a, &failed);
	x->logo_type = db_col_null(st, 2) ? NULL : db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

int circular_letterhead(struct db *db, struct arena *a, const char *body, bool with_logo,
			struct circular_letterhead *out, struct error *e)
{
	static const char sql[] = "SELECT address, logo_blob, logo_type FROM letter_body WHERE body = ?";
	memset(out, 0, sizeof *out);
	out->address = "";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, body ? body : "");
	struct circular_letterhead *found = NULL;
	int n = 0;
	if (db_collect(st, a, (void **)&found, &n, sizeof *found, letterhead_from_row, e) != 0)
		return -1;
	if (n)
		*out = found[0];
	if (with_logo && out->logo_blob)
		return blob_get(db, a, out->logo_blob, &out->logo, &out->logo_len, e);
	return 0;
}

/* The type of an image we accept as a logo, by its first bytes; NULL for any other. */
static const char *logo_type_of(const unsigned char *p, size_t n)
{
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	return NULL;
}

int circular_letterhead_set(struct db *db, struct arena *a, const struct actor *who, const char *body,
			    const char *address, const char *pattern, const void *logo, size_t logo_len,
			    struct error *e)
{
	static const char sql_pattern[] = "UPDATE letter_body SET pattern = ? WHERE body = ?";
	pattern = field_trimmed(a, pattern);
	if (pattern && !*pattern)
		pattern = NULL;
	if (pattern && !circular_pattern_valid(pattern))
		error_field(e, "pattern",
		            _("Write the pattern with one {n} for the number, and {yy} or {yyyy} for the year if the "
		              "numbering restarts each year, such as CL-{yy}/{n}; at most 40 characters."));
	static const char sql_row[] = "INSERT INTO letter_body (body) VALUES (?) ON CONFLICT (body) DO NOTHING";
	static const char sql_address[] = "UPDATE letter_body SET address = ? WHERE body = ?";
	static const char sql_logo[] = "UPDATE letter_body SET logo_blob = ?, logo_type = ? WHERE body = ?";
	const char *type = NULL;
	if (address)
		field_check_text(e, "address", address, false, LIMIT_SUMMARY,
		                 N_("the address block of the letterhead"));
	if (logo && logo_len) {
		if (logo_len > LIMIT_LETTER_LOGO)
			error_field(e, "logo", _("The logo is larger than %d KiB: send a smaller image."),
			            LIMIT_LETTER_LOGO / 1024);
		else if (!(type = logo_type_of(logo, logo_len)))
			error_field(e, "logo", _("Send the logo as a PNG or JPEG image."));
	}
	if (e->code)
		return -1;
	char name[BLOB_NAME_LEN + 1];
	struct db_stmt *st;
	if (db_begin(db, e) != 0)
		return -1;
	if (!(st = db_stmt(db, sql_row, e)))
		goto fail;
	db_bind_text(st, 1, body ? body : "");
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (address) {
		if (!(st = db_stmt(db, sql_address, e)))
			goto fail;
		db_bind_text(st, 1, field_trimmed(a, address));
		db_bind_text(st, 2, body ? body : "");
		if (db_exec_stmt(st, e) != 0)
			goto fail;
	}
	if (pattern) {
		if (!(st = db_stmt(db, sql_pattern, e)))
			goto fail;
		db_bind_text(st, 1, pattern);
		db_bind_text(st, 2, body ? body : "");
		if (db_exec_stmt(st, e) != 0)
			goto fail;
	}
	if (logo) {
		if (logo_len && blob_put(db, logo, logo_len, name, e) != 0)
			goto fail;
		if (!(st = db_stmt(db, sql_logo, e)))
			goto fail;
		db_bind_text(st, 1, logo_len ? name : NULL);
		db_bind_text(st, 2, type);
		db_bind_text(st, 3, body ? body : "");
		if (db_exec_stmt(st, e) != 0)
			goto fail;
	}
	if (audit_record(db, who, 0, "letterhead.update", arena_printf(a, "letterhead:%s", body ? body : ""), NULL,
			 audit_json(a, json_pack("{s:o,s:o,s:o}", "address", address ? json_string(address) : json_null(),
						 "pattern", pattern ? json_string(pattern) : json_null(), "logo",
						 logo ? json_string(logo_len ? name : "") : json_null())),
			 e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

struct pdf_row {
	const char *sha256;
	int64_t size;
};

static int pdf_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct pdf_row *x = element;
	bool failed = false;
	x->sha256 = db_col_dup(st, 0, a, &failed);
	x->size = db_col_int(st, 1);
	return failed ? -1 : 0;
}

int circular_pdf_find(struct db *db, struct arena *a, int64_t circular_id, const char *language, char sha256[65],
		      int64_t *size, const void **bytes, struct error *e)
{
	static const char sql[] = "SELECT sha256, size FROM circular_pdf WHERE circular_id = ?";
	static const char sql_text[] = "SELECT sha256, size FROM circular_text_pdf WHERE circular_id = ? AND language = ?";
	struct db_stmt *st = db_stmt(db, language ? sql_text : sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, circular_id);
	if (language)
		db_bind_text(st, 2, language);
	struct pdf_row row;
	if (db_collect_one(st, a, &row, pdf_from_row, "The PDF of this letter is not made yet.", e) != 0)
		return -1;
	snprintf(sha256, 65, "%s", row.sha256);
	if (size)
		*size = row.size;
	size_t n;
	return bytes ? blob_get(db, a, row.sha256, bytes, &n, e) : 0;
}

int circular_pdf_keep(struct db *db, struct arena *a, const struct actor *who, int64_t circular_id,
		      const char *language, const void *pdf, size_t len, char sha256[65], struct error *e)
{
	static const char sql[] = "INSERT INTO circular_pdf (circular_id, sha256, size, created_at) VALUES (?, ?, ?, ?) "
				  "ON CONFLICT (circular_id) DO NOTHING";
	static const char sql_text[] =
		"INSERT INTO circular_text_pdf (circular_id, sha256, size, created_at, language) VALUES (?, ?, ?, ?, ?) "
		"ON CONFLICT (circular_id, language) DO NOTHING";
	struct circular c;
	if (db_begin(db, e) != 0)
		return -1;
	struct db_stmt *st;
	if (circular_find(db, a, circular_id, &c, e) != 0)
		goto fail;
	if (language && !circular_use_text(&c, language)) {
		error_set(e, ERROR_NOT_FOUND, _("This letter has no text in that language."));
		goto fail;
	}
	if (blob_put(db, pdf, len, sha256, e) != 0 || !(st = db_stmt(db, language ? sql_text : sql, e)))
		goto fail;
	db_bind_int(st, 1, circular_id);
	db_bind_text(st, 2, sha256);
	db_bind_int(st, 3, (int64_t)len);
	db_bind_int(st, 4, clock_now());
	if (language)
		db_bind_text(st, 5, language);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (db_changes(db) != 1) {
		error_set(e, ERROR_CONFLICT, _("The PDF of letter %s is made already."), c.reference);
		goto fail;
	}
	json_t *facts = json_pack("{s:s,s:s,s:I}", "reference", c.reference, "sha256", sha256, "size", (json_int_t)len);
	if (facts && language)
		json_object_set_new(facts, "language", json_string(language));
	if (audit_record(db, who, c.process_id, "circular.pdf", arena_printf(a, "circular:%lld", (long long)circular_id), NULL,
			 audit_json(a, facts), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* -- distribution -------------------------------------------------------------------------------------- */

/* The count of sql, whose parameters are process_id (if not 0) then cats (if not NULL). */
static int64_t count_of(struct db *db, const char *sql, int64_t process_id, const char *cats, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	int i = 1;
	if (process_id)
		db_bind_int(st, i++, process_id);
	if (cats)
		db_bind_text(st, i, cats);
	int64_t n = -1;
	if (db_step(st, e) == DB_ROW)
		n = db_col_int(st, 0);
	db_reset(st);
	return n;
}

int circular_draft_recipients(struct db *db, struct arena *a, int64_t draft_id, struct circular_recipients *out,
			      struct error *e)
{
	static const char sql_subscribers[] =
		"SELECT count(DISTINCT lower(email)) FROM subscription WHERE process_id = ? AND confirmed_at IS NOT NULL "
		"AND left_at IS NULL";
	/* the categories as a list "a,b": matched with the commas around them, which slugs never hold */
	static const char sql_stakeholders[] =
		"SELECT count(DISTINCT lower(email)) FROM account WHERE role = 'stakeholder' AND "
		"email_confirmed_at IS NOT NULL AND category <> '' AND "
		"',' || CAST(? AS TEXT) || ',' LIKE '%,' || category || ',%'";
	static const char sql_all[] =
		"SELECT count(*) FROM (SELECT lower(email) AS address FROM subscription WHERE process_id = ? AND "
		"confirmed_at IS NOT NULL AND left_at IS NULL UNION SELECT lower(email) FROM account WHERE "
		"role = 'stakeholder' AND email_confirmed_at IS NOT NULL AND category <> '' AND "
		"',' || CAST(? AS TEXT) || ',' LIKE '%,' || category || ',%') AS x";
	struct circular_draft d;
	if (circular_draft_find(db, a, draft_id, &d, e) != 0)
		return -1;
	const char *cats = arena_printf(a, "%s%s%s", d.for_action, *d.for_action && *d.for_information ? "," : "",
					d.for_information);
	out->subscribers = count_of(db, sql_subscribers, d.process_id, NULL, e);
	out->stakeholders = count_of(db, sql_stakeholders, 0, cats, e);
	out->addresses = count_of(db, sql_all, d.process_id, cats, e);
	return out->subscribers < 0 || out->stakeholders < 0 || out->addresses < 0 ? -1 : 0;
}

int circular_distribution(struct db *db, int64_t circular_id, struct circular_distribution *out, struct error *e)
{
	static const char sql[] =
		"SELECT count(*), count(d.message_id), count(o.sent_at), count(o.failed_at) FROM circular_delivery d "
		"LEFT JOIN outbox o ON o.message_id = d.message_id WHERE d.circular_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, circular_id);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW) {
		out->addresses = db_col_int(st, 0);
		out->queued = db_col_int(st, 1);
		out->sent = db_col_int(st, 2);
		out->failed = db_col_int(st, 3);
	}
	db_reset(st);
	return r == DB_ROW ? 0 : -1;
}

static int group_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct circular_recipient_group *x = element;
	bool failed = false;
	const char *purpose = db_col_dup(st, 2, a, &failed);
	x->slug = db_col_dup(st, 0, a, &failed);
	x->name = db_col_dup(st, 1, a, &failed);
	if (failed || !circular_purpose_parse(purpose, &x->purpose))
		return -1;
	x->addresses = db_col_int(st, 3);
	x->queued = db_col_int(st, 4);
	x->sent = db_col_int(st, 5);
	x->failed = db_col_int(st, 6);
	return 0;
}

int circular_distribution_groups(struct db *db, struct arena *a, int64_t circular_id,
				 struct circular_recipient_group **out, int *n, struct error *e)
{
	/* The subscribers' rows name their subscription; a category's are the rows of the addresses of its
	 * stakeholders (as registered now: the rows keep no category, since one address may be in two). */
	static const char sql[] =
		"SELECT NULL, NULL, 'action', count(*), count(d.message_id), count(o.sent_at), count(o.failed_at), "
		"0, 0 FROM circular_delivery d LEFT JOIN outbox o ON o.message_id = d.message_id "
		"WHERE d.circular_id = ?1 AND d.subscription_id IS NOT NULL "
		"UNION ALL "
		"SELECT k.slug, k.name, ca.purpose, count(d.id), count(d.message_id), count(o.sent_at), "
		"count(o.failed_at), CASE WHEN ca.purpose = 'action' THEN 1 ELSE 2 END, k.position "
		"FROM circular_addressee ca JOIN category k ON k.id = ca.category_id "
		"LEFT JOIN (SELECT DISTINCT category, lower(email) AS email FROM account WHERE role = 'stakeholder' "
		"AND email_confirmed_at IS NOT NULL) s ON s.category = k.slug "
		"LEFT JOIN circular_delivery d ON d.circular_id = ca.circular_id AND d.email = s.email "
		"LEFT JOIN outbox o ON o.message_id = d.message_id "
		"WHERE ca.circular_id = ?1 GROUP BY k.slug, k.name, ca.purpose, k.position ORDER BY 8, 9";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, circular_id);
	*out = NULL;
	*n = 0;
	return db_collect(st, a, (void **)out, n, sizeof **out, group_from_row, e);
}

struct pending {
	int64_t id, circular_id, subscription_id;
	const char *email, *reference, *date, *subject, *markdown, *process_title, *pdf;
	/* the recipient's: the address's account's, else its subscription's (NULL: none recorded); the process's list */
	const char *language, *process_languages;
	const char *text_language; /* the language of subject, markdown and pdf: a text's, or NULL for its own */
};

static int pending_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct pending *x = element;
	bool failed = false;
	x->id = db_col_int(st, 0);
	x->circular_id = db_col_int(st, 1);
	x->subscription_id = db_col_int(st, 2);
	x->email = db_col_dup(st, 3, a, &failed);
	x->reference = db_col_dup(st, 4, a, &failed);
	x->date = db_col_dup(st, 5, a, &failed);
	x->subject = db_col_dup(st, 6, a, &failed);
	x->markdown = db_col_dup(st, 7, a, &failed);
	x->process_title = db_col_dup(st, 8, a, &failed);
	x->pdf = db_col_dup(st, 9, a, &failed);
	x->language = db_col_dup(st, 10, a, &failed);
	x->process_languages = db_col_dup(st, 11, a, &failed);
	x->text_language = db_col_dup(st, 12, a, &failed);
	return failed ? -1 : 0;
}

/* The PDF's name in the mail: the reference (and the language of a text in another) with what a file name
 * should not hold replaced ("CL-21-1.pdf", "CL-21-1-fr.pdf"). */
static const char *pdf_filename(struct arena *a, const char *reference, const char *language)
{
	char *name = language ? arena_printf(a, "%s-%s.pdf", reference, language) : arena_printf(a, "%s.pdf", reference);
	for (char *p = name; p && *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '-' || *p == '_'))
			*p = '-';
	return name;
}

/* One mail of a letter: composed and stored, and its delivery row marked with its Message-ID. */
static int deliver_one(struct db *db, struct arena *a, const struct pending *x, struct error *e)
{
	static const char sql_mark[] = "UPDATE circular_delivery SET message_id = ? WHERE id = ? AND message_id IS NULL";
	const char *leave = NULL;
	if (x->subscription_id && subscription_leave_link(db, a, x->subscription_id, &leave, e) != 0)
		return -1;
	const char *url = x->text_language ? arena_printf(a, "%s/letters/%lld?text=%s", config_get()->public_url,
							  (long long)x->circular_id, x->text_language)
					   : arena_printf(a, "%s/letters/%lld", config_get()->public_url, (long long)x->circular_id);
	/* The mail's own words in the recipient's language: their account's (migration 046: the person's own
	 * choice, for every mail to them), else the one a subscriber asked in, else the process's first; the
	 * letter's text is the secretariat's, as it was issued, in that language if the letter has a text in it
	 * (the query chose it), else its own. */
	const struct i18n_language *lang = x->language ? i18n_find(x->language) : NULL;
	if (!lang)
		lang = i18n_first_of(x->process_languages ? x->process_languages : "");
	const char *code = lang ? lang->code : I18N_DEFAULT;
	char day[I18N_DATE_LEN];
	i18n_date_long(code, x->date, day);
	const char *was = i18n_current();
	i18n_use(code);
	/* by the name of the address's account, if it has one (outbox_greeting decides whether it greets) */
	const char *greeting = outbox_greeting(a, account_mail_name_for(db, a, x->email, NULL));
	const char *head = arena_printf(a, _("Circular letter %s of %s"), x->reference, day);
	const char *foot = arena_printf(a, _("The letter, with its annexes: %s (PDF attached)"), url);
	const char *sig = leave ? arena_printf(a, _("You get this letter because you follow \"%s\" on Consulta.\nTo "
						    "stop, open this link: %s\n"),
					     x->process_title, leave)
				: "";
	const char *subject = arena_printf(a, _("Circular letter %s: %s"), x->reference, x->subject);
	i18n_use(was);
	const char *body = greeting && head && foot && sig
				   ? arena_printf(a, "%s\n\n%s\n%s\n\n%s%s\n\n%s\n%s%s", greeting, head, x->subject, x->markdown,
						  *x->markdown && x->markdown[strlen(x->markdown) - 1] == '\n' ? "" : "",
						  foot, leave ? "-- \n" : "", sig)
				   : NULL;
	const struct outbox_attachment pdf = {.filename = pdf_filename(a, x->reference, x->text_language),
					      .content_type = "application/pdf",
					      .blob = x->pdf};
	/* Content-Language: the language of the letter's text it carries (its words around it may be another) */
	const size_t first = x->process_languages ? strcspn(x->process_languages, ",") : 0;
	const char *text_language = x->text_language ? x->text_language
				    : first		 ? arena_strndup(a, x->process_languages, first)
							 : I18N_DEFAULT;
	const struct outbox_mail mail = {
		.kind = "letter",
		.to = x->email,
		.language = text_language,
		.subject = subject,
		.body = body,
		.list_unsubscribe = leave,
		.attachments = &pdf,
		.nattachments = 1,
	};
	struct outbox_ready ready;
	if (!body || !mail.subject || outbox_compose(a, &mail, &ready, e) != 0 || outbox_insert(db, &ready, e) != 0)
		return -1;
	struct db_stmt *st = db_stmt(db, sql_mark, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, ready.message_id);
	db_bind_int(st, 2, x->id);
	return db_exec_stmt(st, e);
}

/* Makes the PDFs missing of letters whose mails wait for them (the request that issued them did not make
 * it: it died, or WeasyPrint was busy or missing then), a few per call: each takes seconds, outside any
 * transaction. A letter whose PDF cannot be made now is tried again on the next call; the others go on. */
static void pdfs_missing(struct db *db, struct arena *a)
{
	/* The letter's own PDF (every mail carries it or waits for it), then those of its texts in the languages
	 * of recipients its mails wait for (the address's account's, else its subscription's; '' for its own:
	 * sorted first on both backends). */
	static const char sql[] =
		"SELECT c.id, '' FROM circular c WHERE NOT EXISTS (SELECT 1 FROM circular_pdf f WHERE f.circular_id = c.id) "
		"AND EXISTS (SELECT 1 FROM circular_delivery d WHERE d.circular_id = c.id AND d.message_id IS NULL) "
		"UNION ALL SELECT t.circular_id, t.language FROM circular_text t WHERE NOT EXISTS (SELECT 1 FROM "
		"circular_text_pdf f WHERE f.circular_id = t.circular_id AND f.language = t.language) AND EXISTS (SELECT 1 "
		"FROM circular_delivery d LEFT JOIN subscription s ON s.id = d.subscription_id LEFT JOIN account acc ON "
		"acc.email = d.email WHERE d.circular_id = t.circular_id AND d.message_id IS NULL AND "
		"COALESCE(acc.language, s.language) = t.language) "
		"ORDER BY 1, 2 LIMIT 4";
	struct error e;
	error_clear(&e);
	struct {
		int64_t id;
		char language[LANGUAGE_TAG_LEN];
	} todo[4];
	int n = 0;
	struct db_stmt *st = db_stmt(db, sql, &e);
	if (!st) {
		log_event("letter_pdf", "error=%s msg=\"%s\"", e.code, e.message);
		return;
	}
	enum db_step r;
	while (n < 4 && (r = db_step(st, &e)) == DB_ROW) {
		todo[n].id = db_col_int(st, 0);
		const char *l = db_col_text(st, 1);
		snprintf(todo[n].language, sizeof todo[n].language, "%s", l ? l : "");
		n++;
	}
	db_reset(st);
	for (int i = 0; i < n; i++) {
		const char *language = *todo[i].language ? todo[i].language : NULL;
		error_clear(&e);
		if (circular_pdf_make(db, a, &ACTOR_SYSTEM, todo[i].id, language, &e) != 0)
			log_event("letter_pdf", "circular=%lld language=%s error=%s", (long long)todo[i].id,
				  language ? language : "own", e.code);
		else
			log_event("letter_pdf_made", "circular=%lld language=%s by=sender", (long long)todo[i].id,
				  language ? language : "own");
	}
}

int circular_distribute(struct db *db, struct arena *a, int limit, int *queued, struct error *e)
{
	static const char sql[] =
		"SELECT d.id, d.circular_id, d.subscription_id, d.email, c.reference, c.date, COALESCE(t.subject, c.subject), "
		"COALESCE(t.markdown, c.markdown), p.title, COALESCE(tf.sha256, f.sha256), COALESCE(acc.language, "
		"s.language), p.languages, t.language FROM circular_delivery d JOIN circular c ON c.id = d.circular_id "
		"JOIN process p ON p.id = c.process_id JOIN circular_pdf f ON f.circular_id = c.id "
		"LEFT JOIN subscription s ON s.id = d.subscription_id "
		/* the address's account, whose language is the recipient's (before a subscription's) */
		"LEFT JOIN account acc ON acc.email = d.email "
		/* the letter's text in the recipient's language, if it has one, and then only once its PDF is made */
		"LEFT JOIN circular_text t ON t.circular_id = c.id AND t.language = COALESCE(acc.language, s.language) "
		"LEFT JOIN circular_text_pdf tf ON tf.circular_id = c.id AND tf.language = t.language "
		"WHERE d.message_id IS NULL AND (t.language IS NULL OR tf.sha256 IS NOT NULL) ORDER BY d.id LIMIT ?";
	/* Whether any mail waits, read before the write transaction: the sender comes here after every group
	 * commit of contributions (their receipts), and a write transaction for nothing would take the write lock
	 * from the contributions' writer, which then waits a millisecond or more for it (SQLite's busy handler). */
	static const char sql_any[] = "SELECT 1 FROM circular_delivery WHERE message_id IS NULL LIMIT 1";
	*queued = 0;
	struct db_stmt *any = db_stmt(db, sql_any, e);
	if (!any)
		return -1;
	enum db_step waiting = db_step(any, e);
	db_reset(any);
	if (waiting != DB_ROW)
		return waiting == DB_DONE ? 0 : -1;
	pdfs_missing(db, a);
	if (db_begin(db, e) != 0)
		return -1;
	struct pending *list = NULL;
	int n = 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, limit);
	if (db_collect(st, a, (void **)&list, &n, sizeof *list, pending_from_row, e) != 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		/* each mail's text in a scratch arena: a batch does not grow the caller's by one letter each */
		struct arena scratch;
		arena_init(&scratch);
		int rc = deliver_one(db, &scratch, &list[i], e);
		arena_free(&scratch);
		if (rc != 0)
			goto fail;
	}
	if (db_commit(db, e) != 0)
		goto fail;
	*queued = n;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
