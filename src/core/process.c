/* process — see process.h. */
#include "core/process.h"

#include "core/field.h"
#include "core/language.h"
#include "core/limits.h"
#include "util/clock.h"
#include "util/i18n.h"
#include "util/tz.h"

#include <string.h>

bool process_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	if (n == 0 || n > 64 || slug[0] == '-')
		return false;
	for (const char *p = slug; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

int process_create(struct db *db, const char *slug, const char *title, const char *summary, const char *timezone,
		   int64_t *id, struct error *e)
{
	if (!process_slug_valid(slug))
		error_field(e, "slug", _("Use 1 to 64 lower-case letters, digits and hyphens."));
	if (!title || !*title)
		error_field(e, "title", _("Give the process a title."));
	if (!tz_valid(timezone))
		error_field(e, "timezone", _("Give an IANA time zone such as Europe/Zurich."));
	if (e->code)
		return -1;
	static const char sql[] =
		"INSERT INTO process (slug, title, summary, timezone, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, slug);
	db_bind_text(st, 2, title);
	db_bind_text(st, 3, summary ? summary : "");
	db_bind_text(st, 4, timezone);
	db_bind_int(st, 5, clock_now());
	if (db_insert_id(st, id, e) != 0) {
		if (db_unique_violation(db))
			error_set(e, ERROR_CONFLICT, _("A process with the slug '%s' already exists."), slug);
		return -1;
	}
	return 0;
}

int process_add_category(struct db *db, int64_t process_id, const char *slug, const char *name, int64_t *id,
			 struct error *e)
{
	if (!process_slug_valid(slug))
		error_field(e, "slug", _("Use 1 to 64 lower-case letters, digits and hyphens."));
	if (!name || !*name)
		error_field(e, "name", _("Give the category a name."));
	if (e->code)
		return -1;
	static const char sql[] = "INSERT INTO category (process_id, slug, name, position) "
				  "VALUES (?1, ?2, ?3, (SELECT count(*) FROM category WHERE process_id = ?1)) RETURNING id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, slug);
	db_bind_text(st, 3, name);
	if (db_insert_id(st, id, e) != 0)
		return -1;
	return 0;
}

int process_set_runners(struct db *db, int64_t id, const char *body, const char *secretariat, struct error *e)
{
	static const char sql[] = "UPDATE process SET body = ?, secretariat = ? WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, body);
	db_bind_text(st, 2, secretariat);
	db_bind_int(st, 3, id);
	return db_exec_stmt(st, e);
}

static int process_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct process *p = element;
	bool failed = false;
	p->id = db_col_int(st, 0);
	p->slug = db_col_dup(st, 1, a, &failed);
	p->title = db_col_dup(st, 2, a, &failed);
	p->summary = db_col_dup(st, 3, a, &failed);
	p->timezone = db_col_dup(st, 4, a, &failed);
	p->languages = db_col_dup(st, 5, a, &failed);
	p->body = db_col_dup(st, 6, a, &failed);
	p->secretariat = db_col_dup(st, 7, a, &failed);
	return failed ? -1 : 0;
}

static int category_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct category *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	c->slug = db_col_dup(st, 1, a, &failed);
	c->name = db_col_dup(st, 2, a, &failed);
	c->base_name = db_col_dup(st, 3, a, &failed);
	return failed ? -1 : 0;
}

#define PROCESS_COLUMNS "SELECT id, slug, title, summary, timezone, languages, body, secretariat FROM process "
/* The categories of process ?1 as category_from_row() reads them: named in the reader's language (?2), else the
 * process's first language's, else the name typed with the slug. */
#define CATEGORY_SELECT                                                                                                \
	"SELECT c.id, c.slug, " PROCESS_CATEGORY_NAME_SQL("c", "?2") ", c.name "                                         \
	"FROM category c WHERE c.process_id = ?1 "

static int process_find_by(struct db *db, struct arena *a, const char *sql, const char *slug, int64_t id,
			   bool categories, struct process *out, struct error *e)
{
	static const char sql_categories[] = CATEGORY_SELECT "ORDER BY c.position, c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	if (slug)
		db_bind_text(st, 1, slug);
	else
		db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	if (db_collect_one(st, a, out, process_from_row, "There is no such process.", e) != 0)
		return -1;
	if (!categories)
		return 0;
	st = db_stmt(db, sql_categories, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, out->id);
	const char *reader = i18n_current();
	db_bind_text(st, 2, reader ? reader : "");
	return db_collect(st, a, (void **)&out->categories, &out->ncategories, sizeof *out->categories,
			  category_from_row, e);
}

int process_category_find(struct db *db, struct arena *a, int64_t process_id, const char *slug,
                          const struct category **out, struct error *e)
{
	static const char sql[] = CATEGORY_SELECT "AND c.slug = ?3";
	*out = NULL;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	const char *reader = i18n_current();
	db_bind_text(st, 2, reader ? reader : "");
	db_bind_text(st, 3, slug);
	struct category *c = NULL;
	enum db_step r = db_step(st, e);
	if (r == DB_ROW && (!(c = arena_alloc(a, sizeof *c)) || category_from_row(a, st, c) != 0)) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		r = DB_FAIL;
	}
	db_reset(st);
	if (r == DB_FAIL)
		return -1;
	*out = c;
	return c ? 1 : 0;
}

int process_find(struct db *db, struct arena *a, const char *slug, struct process *out, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "WHERE slug = ?";
	return process_find_by(db, a, sql, slug, 0, true, out, e);
}

int process_find_id(struct db *db, struct arena *a, int64_t id, struct process *out, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "WHERE id = ?";
	return process_find_by(db, a, sql, NULL, id, true, out, e);
}

int process_find_id_bare(struct db *db, struct arena *a, int64_t id, struct process *out, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "WHERE id = ?";
	return process_find_by(db, a, sql, NULL, id, false, out, e);
}

int process_list(struct db *db, struct arena *a, struct process **out, int *n, struct error *e)
{
	static const char sql[] = PROCESS_COLUMNS "ORDER BY created_at DESC, id DESC";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	return db_collect(st, a, (void **)out, n, sizeof **out, process_from_row, e);
}

struct category_name_row {
	int64_t category_id;
	struct category_name n;
};

static int category_name_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct category_name_row *r = element;
	bool failed = false;
	r->category_id = db_col_int(st, 0);
	r->n.language = db_col_dup(st, 1, a, &failed);
	r->n.name = db_col_dup(st, 2, a, &failed);
	return failed ? -1 : 0;
}

int process_category_names(struct db *db, struct arena *a, struct process *p, struct error *e)
{
	static const char sql[] = "SELECT n.category_id, n.language, n.name FROM category_name n "
				  "JOIN category c ON c.id = n.category_id WHERE c.process_id = ? "
				  "ORDER BY n.category_id, n.language";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, p->id);
	struct category_name_row *rows = NULL;
	int n = 0;
	if (db_collect(st, a, (void **)&rows, &n, sizeof *rows, category_name_from_row, e) != 0)
		return -1;
	for (int k = 0; k < p->ncategories; k++) {
		struct category *c = &p->categories[k];
		c->names = NULL;
		c->nnames = 0;
		for (int i = 0; i < n; i++)
			if (rows[i].category_id == c->id) {
				if (!c->names)
					c->names = arena_alloc(a, sizeof *c->names * (size_t)n);
				if (!c->names) {
					error_set(e, ERROR_UNAVAILABLE, "out of memory");
					return -1;
				}
				c->names[c->nnames++] = rows[i].n;
			}
	}
	return 0;
}

const struct category *process_category(const struct process *p, const char *slug)
{
	for (int i = 0; slug && i < p->ncategories; i++)
		if (strcmp(p->categories[i].slug, slug) == 0)
			return &p->categories[i];
	return NULL;
}

const char *process_category_name(const struct process *p, const char *slug, const char *fallback)
{
	const struct category *c = process_category(p, slug);
	return c ? c->name : fallback;
}

const struct category *process_category_id(const struct process *p, int64_t id)
{
	for (int i = 0; i < p->ncategories; i++)
		if (p->categories[i].id == id)
			return &p->categories[i];
	return NULL;
}

/* -- the back office ---------------------------------------------------- */

/* A BCP 47 tag of the usual shape: a primary language of 2 or 3 letters, then
 * subtags of 1 to 8 letters or digits ("en", "fr-CH", "zh-Hant"). Written back
 * with the primary subtag in lower case and a two-letter region in upper case. */
static bool language_tag_normal(char *tag)
{
	size_t n = strlen(tag), i = 0;
	while (i < n && tag[i] != '-') {
		char c = tag[i];
		if (c >= 'A' && c <= 'Z')
			tag[i] = (char)(c - 'A' + 'a');
		else if (!(c >= 'a' && c <= 'z'))
			return false;
		i++;
	}
	if (i < 2 || i > 3)
		return false;
	while (i < n) {
		size_t start = ++i; /* past the '-' */
		while (i < n && tag[i] != '-') {
			char c = tag[i];
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
				return false;
			i++;
		}
		if (i - start < 1 || i - start > 8)
			return false;
		if (i - start == 2 && start == 3) /* fr-ch -> fr-CH: the region */
			for (size_t k = start; k < i; k++)
				if (tag[k] >= 'a' && tag[k] <= 'z')
					tag[k] = (char)(tag[k] - 'a' + 'A');
	}
	return true;
}

const char *process_first_language(struct arena *a, const struct process *p)
{
	const size_t n = p->languages ? strcspn(p->languages, ",") : 0;
	const char *first = n ? arena_strndup(a, p->languages, n) : NULL;
	return first ? first : I18N_DEFAULT;
}

int process_other_language(struct arena *a, const struct process *p, const char *language, char tag[16],
			   struct error *e)
{
	_Static_assert(LANGUAGE_TAG_LEN == 16, "process.h declares the tag's size");
	if (!language_tag_normalize(field_trimmed(a, language), tag)) {
		error_field(e, "language", "%s", _("Give the text's language as a code such as fr or zh."));
		return -1;
	}
	int place = 0;
	for (const char *l = p->languages ? p->languages : ""; *l; place++) {
		const size_t n = strcspn(l, ",");
		if (n == strlen(tag) && !strncmp(l, tag, n))
			return place == 0 ? 0 : 1;
		l += n + (l[n] == ',');
	}
	error_field(e, "language", _("%s is not one of the process's languages (%s): add it to them first."), tag,
		    p->languages ? p->languages : "");
	return -1;
}

const char *process_languages_normal(struct arena *a, const char *languages, const char *field, struct error *e)
{
	char *copy = arena_strdup(a, languages ? languages : "");
	char *out = arena_alloc(a, strlen(copy) + 1);
	if (!copy || !out) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return NULL;
	}
	int count = 0;
	char *p = copy;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *tag = p;
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		if (!language_tag_normal(tag)) {
			error_field(e, field, _("\"%.40s\" is not a language tag; use tags such as en, fr or zh-Hant."),
			            tag);
			return NULL;
		}
		/* the same tag twice is said once */
		bool seen = false;
		for (const char *q = out; *q && !seen;) {
			size_t len = strcspn(q, ",");
			seen = len == strlen(tag) && strncmp(q, tag, len) == 0;
			q += len + (q[len] == ',');
		}
		if (seen)
			continue;
		if (++count > LIMIT_LANGUAGES) {
			error_field(e, field, _("Name at most %d languages."), LIMIT_LANGUAGES);
			return NULL;
		}
		/* out never outgrows the input: each tag is copied once, with one comma for its separator */
		size_t len = strlen(out), tlen = strlen(tag);
		if (len)
			out[len++] = ',';
		memcpy(out + len, tag, tlen + 1);
	}
	if (count == 0) {
		error_field(e, field, _("Name at least one language, such as en."));
		return NULL;
	}
	return out;
}

/* A slug from a name: ASCII letters and digits kept (lower case), every other
 * run of characters one hyphen. "Member States" -> "member-states". */
static const char *slug_from_name(struct arena *a, const char *name)
{
	size_t n = strlen(name);
	char *out = arena_alloc(a, (n < 64 ? n : 64) + 1);
	if (!out)
		return NULL;
	size_t k = 0;
	bool hyphen = false;
	for (const char *p = name; *p && k < 64; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (hyphen && k > 0 && k < 63)
				out[k++] = '-';
			out[k++] = c;
			hyphen = false;
		} else {
			hyphen = true;
		}
	}
	out[k] = '\0';
	return out;
}

/* A category's names per language into out: each a language tag made canonical, once, with a name of one line. */
static void category_names_check(struct arena *a, const struct category_input *in, struct category_input *out,
				 struct error *e)
{
	out->set_names = in->set_names;
	out->names = NULL;
	out->nnames = 0;
	if (!in->set_names || in->nnames <= 0)
		return;
	if (in->nnames > LIMIT_CATEGORY_NAMES) {
		error_field(e, "categories", _("Give at most %d names per category."), LIMIT_CATEGORY_NAMES);
		return;
	}
	struct category_name *names = arena_alloc(a, sizeof *names * (size_t)in->nnames);
	if (!names) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	for (int i = 0; i < in->nnames; i++) {
		char tag[LANGUAGE_TAG_LEN];
		if (!language_tag_normalize(field_trimmed(a, in->names[i].language), tag)) {
			error_field(e, "categories", "%s", _("Give each name's language as a code such as fr or zh."));
			return;
		}
		for (int k = 0; k < i; k++)
			if (!strcmp(names[k].language, tag)) {
				error_field(e, "categories", _("Two names in %s."), tag);
				return;
			}
		names[i].language = arena_strdup(a, tag);
		names[i].name = field_trimmed(a, in->names[i].name);
		field_check_line(e, "categories", names[i].name, true, LIMIT_NAME, "the category's name in that language");
		if (e->code)
			return;
	}
	out->names = names;
	out->nnames = in->nnames;
}

/* Checks an input into clean (trimmed, normal forms). creating: every part is
 * required; otherwise a NULL part is left as it is. */
static void process_check(struct arena *a, const struct process_input *in, bool creating,
			  struct process_input *clean, struct category_input **cats, struct error *e)
{
	memset(clean, 0, sizeof *clean);
	*cats = NULL;
	if (creating) {
		clean->slug = field_trimmed(a, in->slug);
		if (!process_slug_valid(clean->slug))
			error_field(e, "slug",
			            _("Use 1 to 64 lower-case letters, digits and hyphens, such as "
			              "gca-guidelines."));
		else if (!strcmp(clean->slug, "new"))
			/* /office/processes/new is the form that creates one. */
			error_field(e, "slug", _("\"new\" is reserved; choose another slug."));
	}
	clean->title = field_trimmed(a, in->title);
	if (creating || clean->title)
		field_check_line(e, "title", clean->title, true, LIMIT_TITLE, N_("the title of the process"));
	clean->summary = field_trimmed(a, in->summary);
	if (clean->summary)
		field_check_text(e, "summary", clean->summary, false, LIMIT_SUMMARY, N_("a summary"));
	clean->body = field_trimmed(a, in->body);
	if (clean->body)
		field_check_line(e, "body", clean->body, false, LIMIT_TITLE, N_("the body that runs the consultation"));
	clean->secretariat = field_trimmed(a, in->secretariat);
	if (clean->secretariat)
		field_check_line(e, "secretariat", clean->secretariat, false, LIMIT_TITLE, N_("its secretariat"));
	clean->timezone = field_trimmed(a, in->timezone);
	if ((creating || clean->timezone) && !tz_valid(clean->timezone))
		error_field(e, "timezone", _("Give an IANA time zone such as Europe/Zurich."));
	const char *languages = field_trimmed(a, in->languages);
	if (languages)
		clean->languages = process_languages_normal(a, languages, "languages", e);
	else if (creating)
		clean->languages = "en";

	clean->set_categories = creating || in->set_categories;
	if (!clean->set_categories)
		return;
	if (in->ncategories < 1) {
		error_field(e, "categories", _("Name at least one category of stakeholders, such as Member States."));
		return;
	}
	if (in->ncategories > LIMIT_CATEGORIES) {
		error_field(e, "categories", _("Name at most %d categories."), LIMIT_CATEGORIES);
		return;
	}
	struct category_input *out = arena_alloc(a, sizeof *out * (size_t)in->ncategories);
	if (!out) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return;
	}
	for (int i = 0; i < in->ncategories; i++) {
		struct error one;
		error_clear(&one);
		out[i].name = field_trimmed(a, in->categories[i].name);
		field_check_line(&one, "categories", out[i].name, true, LIMIT_NAME, N_("the name of the category"));
		out[i].slug = field_trimmed(a, in->categories[i].slug);
		if (!one.code && (!out[i].slug || !*out[i].slug))
			out[i].slug = slug_from_name(a, out[i].name);
		if (!one.code && !process_slug_valid(out[i].slug))
			error_field(&one, "categories",
			            _("Give the category a slug of lower-case letters, digits and "
			              "hyphens."));
		for (int k = 0; !one.code && k < i; k++)
			if (!strcmp(out[k].slug, out[i].slug))
				error_field(&one, "categories", _("Two categories have the slug %s."), out[i].slug);
		if (!one.code)
			category_names_check(a, &in->categories[i], &out[i], &one);
		if (one.code) {
			error_field(e, "categories", _("Category %d: %s"), i + 1, one.fields[0].message);
			return;
		}
	}
	clean->categories = out;
	clean->ncategories = in->ncategories;
	*cats = out;
}

/* The process as the audit log keeps it. */
static json_t *process_audit_json(const struct process *p)
{
	json_t *cats = json_array();
	for (int i = 0; i < p->ncategories; i++) {
		json_t *names = json_object();
		for (int k = 0; k < p->categories[i].nnames; k++)
			json_object_set_new(names, p->categories[i].names[k].language,
					    json_string(p->categories[i].names[k].name));
		json_array_append_new(cats, json_pack("{s:s,s:s,s:o}", "slug", p->categories[i].slug, "name",
						      p->categories[i].base_name, "names", names));
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "slug", p->slug, "title", p->title, "summary",
			 p->summary, "timezone", p->timezone, "languages", p->languages ? p->languages : "", "body",
			 p->body ? p->body : "", "secretariat", p->secretariat ? p->secretariat : "", "categories", cats);
}

static const char *process_object(struct arena *a, int64_t id)
{
	return arena_printf(a, "process:%lld", (long long)id);
}

static int category_names_set(struct db *db, int64_t id, const struct category_input *c, struct error *e);

int process_add(struct db *db, struct arena *a, const struct actor *who, const struct process_input *in,
		int64_t *id, struct error *e)
{
	struct process_input clean;
	struct category_input *cats;
	process_check(a, in, true, &clean, &cats, e);
	if (e->code)
		return -1;
	static const char sql_languages[] = "UPDATE process SET languages = ?, body = coalesce(?, body), "
					    "secretariat = coalesce(?, secretariat) WHERE id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	if (process_create(db, clean.slug, clean.title, clean.summary, clean.timezone, id, e) != 0)
		goto fail;
	struct db_stmt *st = db_stmt(db, sql_languages, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, clean.languages);
	db_bind_text(st, 2, clean.body);
	db_bind_text(st, 3, clean.secretariat);
	db_bind_int(st, 4, *id);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	for (int i = 0; i < clean.ncategories; i++) {
		int64_t cid;
		if (process_add_category(db, *id, cats[i].slug, cats[i].name, &cid, e) != 0 ||
		    category_names_set(db, cid, &cats[i], e) != 0)
			goto fail;
	}
	struct process p;
	if (process_find_id(db, a, *id, &p, e) != 0 || process_category_names(db, a, &p, e) != 0 ||
	    audit_record(db, who, *id, "process.create", process_object(a, *id), NULL,
			 audit_json(a, process_audit_json(&p)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

/* The id of process_id's category slug. */
static int category_id_of(struct db *db, int64_t process_id, const char *slug, int64_t *id, struct error *e)
{
	static const char sql[] = "SELECT id FROM category WHERE process_id = ? AND slug = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, process_id);
	db_bind_text(st, 2, slug);
	enum db_step r = db_step(st, e);
	if (r == DB_ROW)
		*id = db_col_int(st, 0);
	db_reset(st);
	if (r != DB_ROW) {
		if (r == DB_DONE)
			error_set(e, ERROR_INTERNAL, "a category just written is missing");
		return -1;
	}
	return 0;
}

/* Replaces category id's names per language by c's, if c sets them. */
static int category_names_set(struct db *db, int64_t id, const struct category_input *c, struct error *e)
{
	static const char sql_delete[] = "DELETE FROM category_name WHERE category_id = ?";
	static const char sql_insert[] = "INSERT INTO category_name (category_id, language, name) VALUES (?, ?, ?)";
	if (!c->set_names)
		return 0;
	struct db_stmt *st = db_stmt(db, sql_delete, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	if (db_exec_stmt(st, e) != 0)
		return -1;
	for (int i = 0; i < c->nnames; i++) {
		st = db_stmt(db, sql_insert, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, id);
		db_bind_text(st, 2, c->names[i].language);
		db_bind_text(st, 3, c->names[i].name);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	return 0;
}

/* Makes the categories of process p those of cats, in their order. */
static int process_replace_categories(struct db *db, const struct process *p, const struct category_input *cats,
				      int n, struct error *e)
{
	static const char sql_update[] = "UPDATE category SET name = ?, position = ? WHERE id = ?";
	static const char sql_insert[] =
		"INSERT INTO category (process_id, slug, name, position) VALUES (?, ?, ?, ?)";
	static const char sql_used[] =
		"SELECT EXISTS (SELECT 1 FROM contribution WHERE category_id = ?1) "
		"OR EXISTS (SELECT 1 FROM circular_addressee WHERE category_id = ?1)";
	static const char sql_delete[] = "DELETE FROM category WHERE id = ?";
	for (int k = 0; k < p->ncategories; k++) {
		bool kept = false;
		for (int i = 0; i < n && !kept; i++)
			kept = !strcmp(cats[i].slug, p->categories[k].slug);
		if (kept)
			continue;
		struct db_stmt *st = db_stmt(db, sql_used, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, p->categories[k].id);
		if (db_step(st, e) != DB_ROW)
			return -1;
		bool used = db_col_int(st, 0) != 0;
		db_reset(st);
		if (used) {
			error_field(e, "categories",
			            _("The category %s has contributions or letters addressed to it; keep "
			              "it (you may rename it)."),
			            p->categories[k].slug);
			return -1;
		}
		const struct category_input none = {.set_names = true};
		if (category_names_set(db, p->categories[k].id, &none, e) != 0)
			return -1;
		st = db_stmt(db, sql_delete, e);
		if (!st)
			return -1;
		db_bind_int(st, 1, p->categories[k].id);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	for (int i = 0; i < n; i++) {
		const struct category *have = process_category(p, cats[i].slug);
		struct db_stmt *st = db_stmt(db, have ? sql_update : sql_insert, e);
		if (!st)
			return -1;
		if (have) {
			db_bind_text(st, 1, cats[i].name);
			db_bind_int(st, 2, i);
			db_bind_int(st, 3, have->id);
		} else {
			db_bind_int(st, 1, p->id);
			db_bind_text(st, 2, cats[i].slug);
			db_bind_text(st, 3, cats[i].name);
			db_bind_int(st, 4, i);
		}
		int64_t id = have ? have->id : 0;
		if (db_exec_stmt(st, e) != 0 || (!have && category_id_of(db, p->id, cats[i].slug, &id, e) != 0) ||
		    category_names_set(db, id, &cats[i], e) != 0)
			return -1;
	}
	return 0;
}

int process_update(struct db *db, struct arena *a, const struct actor *who, const char *slug,
		   const struct process_input *in, struct error *e)
{
	struct process_input clean;
	struct category_input *cats;
	process_check(a, in, false, &clean, &cats, e);
	if (e->code)
		return -1;
	static const char sql[] = "UPDATE process SET title = coalesce(?, title), summary = coalesce(?, summary), "
				  "timezone = coalesce(?, timezone), languages = coalesce(?, languages), "
				  "body = coalesce(?, body), secretariat = coalesce(?, secretariat) WHERE id = ?";
	static const char sql_calls[] = "SELECT count(*) FROM call WHERE process_id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct process before, after;
	if (process_find(db, a, slug, &before, e) != 0 || process_category_names(db, a, &before, e) != 0)
		goto fail;
	if (clean.timezone && strcmp(clean.timezone, before.timezone) != 0) {
		struct db_stmt *st = db_stmt(db, sql_calls, e);
		if (!st)
			goto fail;
		db_bind_int(st, 1, before.id);
		if (db_step(st, e) != DB_ROW)
			goto fail;
		int64_t calls = db_col_int(st, 0);
		db_reset(st);
		if (calls > 0) {
			error_field(e, "timezone",
			            _("The deadlines of this process's calls were set in %s; the time zone "
			              "cannot change now."),
			            before.timezone);
			goto fail;
		}
	}
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, clean.title);
	db_bind_text(st, 2, clean.summary);
	db_bind_text(st, 3, clean.timezone);
	db_bind_text(st, 4, clean.languages);
	db_bind_text(st, 5, clean.body);
	db_bind_text(st, 6, clean.secretariat);
	db_bind_int(st, 7, before.id);
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	if (clean.set_categories && process_replace_categories(db, &before, cats, clean.ncategories, e) != 0)
		goto fail;
	if (process_find_id(db, a, before.id, &after, e) != 0 || process_category_names(db, a, &after, e) != 0)
		goto fail;
	const char *was = audit_json(a, process_audit_json(&before)), *is = audit_json(a, process_audit_json(&after));
	if (was && is && !strcmp(was, is)) {
		db_rollback(db); /* nothing changed: nothing to record */
		return 0;
	}
	if (audit_record(db, who, before.id, "process.update", process_object(a, before.id), was, is, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
