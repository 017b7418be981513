/*
 * export — the open data's datasets, their dictionary and their rows
 * (core/export.h).
 */
#include "core/export.h"

#include "core/config.h"
#include "core/paragraph.h"
#include "core/version_text.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"

#include <stdio.h>
#include <string.h>

const char *export_type_name(enum export_type t)
{
	switch (t) {
	case EXPORT_TEXT: return "text";
	case EXPORT_INTEGER: return "integer";
	case EXPORT_INSTANT: return "instant";
	case EXPORT_DATE: return "date";
	case EXPORT_URL: return "url";
	}
	return "text";
}

/* What the public may read of a contribution (k): published, and not private. */
#define PUBLIC_CONTRIBUTION "k.state = 'published' AND k.publication <> 'private'"

/* An EXPORT_URL column's query gives a path of this site whose last segment is raw text (a file's name):
 * export_each encodes that segment and puts the site's address in front. One kind of path ends with a URL query,
 * kept as it is: a version's page in one of its languages, /versions/N?text=fr (versions.url). */

static const struct export_column contribution_columns[] = {
    {"tracking", EXPORT_TEXT, N_("The contribution's tracking number, as on its receipt and its public page.")},
    {"call_id", EXPORT_INTEGER, N_("The call for contributions it answers (the id in /calls/{id}).")},
    {"received_at", EXPORT_INSTANT, N_("When Consulta received it.")},
    {"channel", EXPORT_TEXT, N_("How it came: web (the form), api or email.")},
    {"publication", EXPORT_TEXT,
     N_("named (published with the name) or anonymous (published without name and organization).")},
    {"name", EXPORT_TEXT, N_("The contributor's name; empty (null) for an anonymous contribution.")},
    {"organization", EXPORT_TEXT, N_("The organization, if any; empty (null) for an anonymous contribution.")},
    {"category", EXPORT_TEXT, N_("The stakeholder category's short name (slug), as in the process's categories.")},
    {"category_name", EXPORT_TEXT, N_("The stakeholder category's name as the pages show it.")},
    {"country", EXPORT_TEXT, N_("The country, as an ISO 3166-1 alpha-2 code.")},
    {"language", EXPORT_TEXT,
     N_("The language it is written in (a BCP 47 tag such as fr): the one its sender declared, else the one "
        "recognised in its text; empty when neither is known.")},
    {"late", EXPORT_INTEGER, N_("1 if it came after the call closed (and the secretariat admitted it), else 0.")},
    {"text", EXPORT_TEXT, N_("The contribution's text as sent (comments on paragraphs are in comments).")},
    {"url", EXPORT_URL, N_("Its public page.")},
};

#define CONTRIBUTION_SELECT                                                                                            \
	"SELECT k.tracking, k.call_id, k.received_at, k.channel, k.publication, "                                      \
	"CASE WHEN k.publication = 'anonymous' THEN NULL ELSE k.name END, "                                            \
	"CASE WHEN k.publication = 'anonymous' THEN NULL ELSE k.organization END, "                                    \
	"cat.slug, cat.name, k.country, NULLIF(k.language, ''), k.late, k.text, '/contributions/' || k.tracking "    \
	"FROM contribution k JOIN category cat ON cat.id = k.category_id JOIN call ca ON ca.id = k.call_id "

static const char sql_contributions_call[] =
    CONTRIBUTION_SELECT "WHERE k.call_id = ?1 AND " PUBLIC_CONTRIBUTION " ORDER BY k.id";
static const char sql_contributions_process[] =
    CONTRIBUTION_SELECT "WHERE ca.process_id = ?1 AND " PUBLIC_CONTRIBUTION " ORDER BY k.id";

static const struct export_column comment_columns[] = {
    {"comment_id", EXPORT_INTEGER, N_("The comment's id (the row of the resolution matrix).")},
    {"tracking", EXPORT_TEXT, N_("The contribution it belongs to (contributions.tracking).")},
    {"call_id", EXPORT_INTEGER, N_("The call for contributions.")},
    {"position", EXPORT_INTEGER, N_("Its place among the contribution's comments, from 1.")},
    {"version_id", EXPORT_INTEGER, N_("The version commented on (versions.version_id).")},
    {"paragraph_id", EXPORT_TEXT,
     N_("The paragraph commented on (paragraphs.paragraph_id, e.g. p3); empty for a general comment.")},
    {"paragraph", EXPORT_INTEGER, N_("That paragraph's number (the \u00b6N shown) in the version; empty if general.")},
    {"clause", EXPORT_TEXT, N_("The place as written in an uploaded comment table (e.g. 5.2), if any.")},
    {"type", EXPORT_TEXT, N_("general, technical or editorial.")},
    {"comment", EXPORT_TEXT, N_("The comment.")},
    {"proposed_change", EXPORT_TEXT, N_("The change the contributor proposes, if any.")},
    {"language", EXPORT_TEXT,
     N_("The language the comment is written in (a BCP 47 tag such as fr): its contribution's, declared by the "
     "contributor or recognised in its text; empty if unknown. It is on paragraph_id whatever its language.")},
    {"decision", EXPORT_TEXT,
     N_("The secretariat's answer: accepted, accepted_in_part, not_accepted or noted; empty until the call's "
        "dispositions are published.")},
    {"reason", EXPORT_TEXT, N_("The secretariat's observations; empty until the dispositions are published.")},
    {"decided_at", EXPORT_INSTANT, N_("When that answer was last recorded; empty until published.")},
    {"new_version_id", EXPORT_INTEGER, N_("The version where the text landed, if the answer names one.")},
    {"new_paragraph_id", EXPORT_TEXT, N_("The paragraph of that version where the text landed, if named.")},
    {"new_paragraph", EXPORT_INTEGER, N_("That paragraph's number in the new version.")},
};

/* The disposition is joined only once the call's dispositions are published. Ordered by the comment's id:
 * the order they came in, read without a sort however many there are. */
#define COMMENT_SELECT                                                                                                 \
	"SELECT cm.id, k.tracking, k.call_id, cm.position, cm.version_id, cm.pid, p.number, cm.clause, cm.type, "      \
	"cm.comment, cm.proposed_change, NULLIF(cm.language, ''), d.decision, d.reason, d.decided_at, d.version_id, d.pid, np.number "          \
	"FROM comment cm JOIN contribution k ON k.id = cm.contribution_id JOIN call ca ON ca.id = k.call_id "          \
	"LEFT JOIN paragraph p ON p.version_id = cm.version_id AND p.pid = cm.pid "                                    \
	"LEFT JOIN disposition d ON d.comment_id = cm.id AND ca.dispositions_published_at IS NOT NULL "                \
	"LEFT JOIN paragraph np ON np.version_id = d.version_id AND np.pid = d.pid "

static const char sql_comments_call[] =
    COMMENT_SELECT "WHERE k.call_id = ?1 AND " PUBLIC_CONTRIBUTION " ORDER BY cm.id";
static const char sql_comments_process[] =
    COMMENT_SELECT "WHERE ca.process_id = ?1 AND " PUBLIC_CONTRIBUTION " ORDER BY cm.id";

static const struct export_column attachment_columns[] = {
    {"tracking", EXPORT_TEXT, N_("The contribution the file came with (contributions.tracking).")},
    {"call_id", EXPORT_INTEGER, N_("The call for contributions.")},
    {"position", EXPORT_INTEGER, N_("Its place among the contribution's files, from 1.")},
    {"name", EXPORT_TEXT, N_("The file's name as sent.")},
    {"size", EXPORT_INTEGER, N_("Its size in bytes.")},
    {"type", EXPORT_TEXT, N_("Its media type, as found in its bytes (e.g. application/pdf).")},
    {"sha256", EXPORT_TEXT, N_("The SHA-256 of its bytes, in hexadecimal: check a downloaded copy against it.")},
    {"url", EXPORT_URL, N_("Where to download it.")},
};

/* Only the files clamd found clean: the others are not served either. */
#define ATTACHMENT_SELECT                                                                                              \
	"SELECT k.tracking, k.call_id, a.position, a.name, a.size, a.type, a.sha256, "                                 \
	"'/contributions/' || k.tracking || '/attachments/' || a.position || '/' || a.name "                           \
	"FROM attachment a JOIN contribution k ON k.id = a.contribution_id JOIN call ca ON ca.id = k.call_id "

static const char sql_attachments_call[] =
    ATTACHMENT_SELECT "WHERE k.call_id = ?1 AND a.scan = 'clean' AND " PUBLIC_CONTRIBUTION " ORDER BY a.id";
static const char sql_attachments_process[] =
    ATTACHMENT_SELECT "WHERE ca.process_id = ?1 AND a.scan = 'clean' AND " PUBLIC_CONTRIBUTION " ORDER BY a.id";

static const struct export_column version_columns[] = {
    {"version_id", EXPORT_INTEGER, N_("The version's id (the id in /versions/{id}).")},
    {"language", EXPORT_TEXT,
     N_("The language of this row's text (a BCP 47 tag such as fr): the version's own text is in the process's "
        "first language; each text given in another language has its own row, with the version's paragraph ids.")},
    {"document", EXPORT_TEXT, N_("The document's short name (slug) within the process.")},
    {"document_title", EXPORT_TEXT, N_("The document's title.")},
    {"label", EXPORT_TEXT, N_("The version's label (e.g. Draft 2).")},
    {"date", EXPORT_DATE, N_("The version's date.")},
    {"note", EXPORT_TEXT, N_("The secretariat's note on what changed, if any.")},
    {"previous_version_id", EXPORT_INTEGER, N_("The version it follows, if any.")},
    {"paragraphs", EXPORT_INTEGER, N_("How many numbered paragraphs it has (see paragraphs).")},
    {"posted_at", EXPORT_INSTANT, N_("When it was published on Consulta (a text in another language: when it was given).")},
    {"markdown", EXPORT_TEXT, N_("The whole text as written, in Markdown, in the row's language.")},
    {"url", EXPORT_URL, N_("Its public page in the row's language.")},
};

/* The process's first language: the leading run of a tag's characters in its list "en,fr" (ltrim with a set of
 * characters, and substr, are the same in SQLite and PostgreSQL; the list is normalized: lower-case tags,
 * commas, no spaces: core/process.h). */
#define FIRST_LANGUAGE(list)                                                                                           \
	"substr(" list ", 1, length(" list ") - length(ltrim(" list ", 'abcdefghijklmnopqrstuvwxyz0123456789-')))"
static const char sql_versions_process[] =
    "SELECT v.id, " FIRST_LANGUAGE("p.languages") ", dm.slug, dm.title, v.label, v.date, v.note, v.previous_id, "
    "v.paragraphs, v.posted_at, v.markdown, '/versions/' || v.id, 0 AS o FROM version v "
    "JOIN document dm ON dm.id = v.document_id JOIN process p ON p.id = dm.process_id "
    "WHERE dm.process_id = ?1 AND v.state = 'published' "
    "UNION ALL SELECT v.id, t.language, dm.slug, dm.title, v.label, v.date, v.note, v.previous_id, v.paragraphs, "
    "t.posted_at, t.markdown, '/versions/' || v.id || '?text=' || t.language, 1 AS o FROM version_text t "
    "JOIN version v ON v.id = t.version_id JOIN document dm ON dm.id = v.document_id "
    "WHERE dm.process_id = ?1 AND v.state = 'published' ORDER BY 1, 13, 2";

static const struct export_column paragraph_columns[] = {
    {"version_id", EXPORT_INTEGER, N_("The version (versions.version_id).")},
    {"language", EXPORT_TEXT,
     N_("The language of this row's text (a BCP 47 tag such as fr): the version's own text is in the process's "
        "first language; each text given in another language has its own row, with the version's paragraph ids.")},
    {"paragraph_id", EXPORT_TEXT,
     N_("The paragraph's id (e.g. p3): the same id in two versions of a document is the same paragraph.")},
    {"number", EXPORT_INTEGER, N_("Its number (the \u00b6N shown), in document order.")},
    {"text", EXPORT_TEXT, N_("Its plain text.")},
    {"markdown", EXPORT_TEXT, N_("Its text as written, in Markdown.")},
};

/* The published versions whose paragraphs paragraphs_each() exports, with their own language. */
static const char sql_paragraphs_process[] =
    "SELECT v.id, " FIRST_LANGUAGE("p.languages") " FROM version v JOIN document dm ON dm.id = v.document_id "
    "JOIN process p ON p.id = dm.process_id WHERE dm.process_id = ?1 AND v.state = 'published' ORDER BY v.id";

struct version_language {
	int64_t id;
	const char *own; /* the process's first language: the version's own text's */
};

static int version_language_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	struct version_language *v = element;
	bool failed = false;
	v->id = db_col_int(st, 0);
	v->own = db_col_dup(st, 1, a, &failed);
	return failed ? -1 : 0;
}

/* One language's paragraphs of a version as rows of the paragraphs dataset. */
static int paragraph_rows(int64_t version_id, const char *language, const struct paragraph *ps, int n,
                          export_row_fn fn, void *ctx)
{
	char id[24], number[16];
	snprintf(id, sizeof id, "%lld", (long long)version_id);
	for (int i = 0; i < n; i++) {
		snprintf(number, sizeof number, "%d", ps[i].number);
		const char *cells[] = {id, language, ps[i].pid, number, ps[i].text, ps[i].source};
		const int rc = fn(cells, ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The paragraphs of every published version of the process, in each of its languages: the version's own (the
 * rows of paragraph, in the process's first language), then those of each text it has in another language, by
 * tag (version_text_paragraphs: the same ids and numbers, that text's words). A language text's paragraphs are
 * no rows of the database (they are the numbered blocks of its Markdown, aligned with the version's when it was
 * given), so they are made here, one version at a time in an arena of its own. */
static int paragraphs_each(struct db *db, int64_t process_id, export_row_fn fn, void *ctx, struct error *e)
{
	struct arena a;
	arena_init(&a);
	struct version_language *vs = NULL;
	int nv = 0, rc = 0;
	struct db_stmt *st = db_stmt(db, sql_paragraphs_process, e);
	if (!st) {
		arena_free(&a);
		return -1;
	}
	db_bind_int(st, 1, process_id);
	if (db_collect(st, &a, (void **)&vs, &nv, sizeof *vs, version_language_from_row, e) != 0)
		rc = -1;
	for (int i = 0; rc == 0 && i < nv; i++) {
		struct arena va;
		arena_init(&va);
		const char **langs = NULL;
		int nl = 0;
		if (version_text_languages(db, &va, vs[i].id, &langs, &nl, e) != 0)
			rc = -1;
		for (int k = -1; rc == 0 && k < nl; k++) {
			struct paragraph *ps;
			int n;
			bool in = k < 0; /* the text's own paragraphs; never the version's under another language's name */
			if ((k < 0 ? paragraph_list(db, &va, vs[i].id, &ps, &n, e)
				   : version_text_paragraphs(db, &va, vs[i].id, langs[k], &ps, &n, &in, e)) != 0)
				rc = -1;
			else if (in)
				rc = paragraph_rows(vs[i].id, k < 0 ? vs[i].own : langs[k], ps, n, fn, ctx);
		}
		arena_free(&va);
	}
	arena_free(&a);
	return rc;
}

static const struct export_column milestone_columns[] = {
    {"milestone_id", EXPORT_INTEGER, N_("The milestone's id (schedule-history.milestone_id).")},
    {"date", EXPORT_DATE, N_("Its date (the first day of a range).")},
    {"end_date", EXPORT_DATE, N_("The last day of a range, if it is one.")},
    {"title", EXPORT_TEXT, N_("What happens.")},
    {"kind", EXPORT_TEXT, N_("version, meeting, deadline, presentation or other.")},
    {"status", EXPORT_TEXT, N_("planned, done, postponed or cancelled.")},
};

static const char sql_schedule_process[] = "SELECT id, date, end_date, title, kind, status FROM milestone "
                                           "WHERE process_id = ?1 ORDER BY date, id";

static const struct export_column move_columns[] = {
    {"move_id", EXPORT_INTEGER, N_("The move's id, in the order the moves were made.")},
    {"milestone_id", EXPORT_INTEGER, N_("The milestone moved (schedule.milestone_id).")},
    {"milestone_title", EXPORT_TEXT, N_("Its title now.")},
    {"moved_on", EXPORT_DATE, N_("When it was moved.")},
    {"from_date", EXPORT_DATE, N_("Where it was: its date before the move (empty if it was not a date).")},
    {"from_end_date", EXPORT_DATE, N_("The last day of the range before the move, if it was one.")},
    {"from_label", EXPORT_TEXT, N_("Where it was when that was not a date (e.g. 2020 session of the Council).")},
    {"to_date", EXPORT_DATE, N_("Its date after the move.")},
    {"to_end_date", EXPORT_DATE, N_("The last day of the range after the move, if it is one.")},
    {"reason", EXPORT_TEXT, N_("Why it was moved, as published.")},
};

static const char sql_moves_process[] =
    "SELECT mv.id, mv.milestone_id, m.title, mv.moved_on, mv.from_date, mv.from_end_date, mv.from_label, "
    "mv.to_date, mv.to_end_date, mv.reason FROM milestone_move mv JOIN milestone m ON m.id = mv.milestone_id "
    "WHERE m.process_id = ?1 ORDER BY mv.id";

static const struct export_column letter_columns[] = {
    {"letter_id", EXPORT_INTEGER, N_("The circular letter's id.")},
    {"reference", EXPORT_TEXT, N_("Its reference (e.g. CL-21/03).")},
    {"date", EXPORT_DATE, N_("Its date.")},
    {"subject", EXPORT_TEXT, N_("Its subject.")},
};

static const char sql_letters_process[] =
    "SELECT id, reference, date, subject FROM circular WHERE process_id = ?1 ORDER BY date, id";

static const struct export_column call_columns[] = {
    {"call_id", EXPORT_INTEGER, N_("The call's id (the id in /calls/{id}).")},
    {"title", EXPORT_TEXT, N_("Its title.")},
    {"version_id", EXPORT_INTEGER, N_("The version it asks comments on (versions.version_id).")},
    {"opens_at", EXPORT_INSTANT, N_("When it opens.")},
    {"closes_at", EXPORT_INSTANT, N_("When it closes: the last contribution on time is received before it.")},
    {"closes_on", EXPORT_DATE, N_("The deadline as announced, a date in the process's time zone, if announced so.")},
    {"dispositions_published_at", EXPORT_INSTANT,
     N_("When the secretariat published its answers to the call's comments; empty until then.")},
    {"url", EXPORT_URL, N_("Its public page.")},
};

static const char sql_calls_process[] =
    "SELECT id, title, version_id, opens_at, closes_at, closes_on, dispositions_published_at, '/calls/' || id "
    "FROM call WHERE process_id = ?1 ORDER BY id";

static const struct export_column deadline_columns[] = {
    {"change_id", EXPORT_INTEGER, N_("The change's id, in the order the changes were made.")},
    {"call_id", EXPORT_INTEGER, N_("The call changed (calls.call_id).")},
    {"changed_at", EXPORT_INSTANT, N_("When.")},
    {"kind", EXPORT_TEXT, N_("extend, shorten (the deadline moved), open or close (opened or closed by hand).")},
    {"from_closes_at", EXPORT_INSTANT, N_("The closing time before the change.")},
    {"to_closes_at", EXPORT_INSTANT, N_("The closing time after it.")},
    {"from_closes_on", EXPORT_DATE, N_("The announced deadline before the change, if any.")},
    {"to_closes_on", EXPORT_DATE, N_("The announced deadline after it, if any.")},
    {"reason", EXPORT_TEXT, N_("Why, as published.")},
};

#define DEADLINE_SELECT                                                                                                \
	"SELECT x.id, x.call_id, x.changed_at, x.kind, x.from_closes_at, x.to_closes_at, x.from_closes_on, "           \
	"x.to_closes_on, x.reason FROM call_change x JOIN call ca ON ca.id = x.call_id "

static const char sql_deadlines_call[] = DEADLINE_SELECT "WHERE x.call_id = ?1 ORDER BY x.id";
static const char sql_deadlines_process[] = DEADLINE_SELECT "WHERE ca.process_id = ?1 ORDER BY x.id";

static const struct export_column meeting_columns[] = {
    {"meeting_id", EXPORT_INTEGER, N_("The meeting's id.")},
    {"date", EXPORT_DATE, N_("Its day.")},
    {"starts", EXPORT_TEXT, N_("When it starts (HH:MM in the process's time zone), if set.")},
    {"ends", EXPORT_TEXT, N_("When it ends (HH:MM), if set.")},
    {"title", EXPORT_TEXT, N_("What it is.")},
    {"format", EXPORT_TEXT, N_("online, physical or hybrid.")},
    {"description", EXPORT_TEXT,
     N_("What the pages say of it (the link to join is for registered participants only, "
        "never here).")},
};

static const char sql_meetings_process[] = "SELECT id, date, starts, ends, title, format, description FROM meeting "
                                           "WHERE process_id = ?1 ORDER BY date, id";

static const struct export_column addressee_columns[] = {
    {"letter_id", EXPORT_INTEGER, N_("The circular letter (letters.letter_id).")},
    {"category", EXPORT_TEXT, N_("A stakeholder category it is addressed to (its slug).")},
    {"category_name", EXPORT_TEXT, N_("That category's name.")},
};

static const char sql_addressees_process[] =
    "SELECT ad.circular_id, cat.slug, cat.name FROM circular_addressee ad JOIN circular c ON c.id = ad.circular_id "
    "JOIN category cat ON cat.id = ad.category_id WHERE c.process_id = ?1 ORDER BY ad.circular_id, cat.position";

#define COLUMNS(c) c, (int)(sizeof c / sizeof c[0])

const struct export_dataset EXPORT_DATASETS[] = {
    {"contributions", N_("One published contribution."), true, COLUMNS(contribution_columns), sql_contributions_call,
     sql_contributions_process, NULL},
    {"comments",
     N_("One comment of a published contribution on a paragraph (or general), with the secretariat's answer once "
        "published: the rows of the resolution matrix."),
     true, COLUMNS(comment_columns), sql_comments_call, sql_comments_process, NULL},
    {"attachments", N_("One file sent with a published contribution (its description, not its bytes: see url)."), true,
     COLUMNS(attachment_columns), sql_attachments_call, sql_attachments_process, NULL},
    {"versions",
     N_("One published version of one of the process's documents in one of its languages, with its whole text: one "
     "row per version and language (see language)."),
     false,
     COLUMNS(version_columns), NULL, sql_versions_process, NULL},
    {"paragraphs",
     N_("One numbered paragraph of a published version in one of its languages: one row per paragraph and language "
        "(see language)."),
     false, COLUMNS(paragraph_columns), NULL, sql_paragraphs_process, paragraphs_each},
    {"schedule", N_("One milestone of the process's schedule, as it stands."), false, COLUMNS(milestone_columns), NULL,
     sql_schedule_process, NULL},
    {"schedule-history", N_("One move of a milestone, with its reason: the schedule's history."), false,
     COLUMNS(move_columns), NULL, sql_moves_process, NULL},
    {"letters", N_("One circular letter of the process."), false, COLUMNS(letter_columns), NULL, sql_letters_process,
     NULL},
    {"letter-addressees", N_("One stakeholder category a circular letter is addressed to."), false,
     COLUMNS(addressee_columns), NULL, sql_addressees_process, NULL},
    {"calls", N_("One call for contributions of the process, with its dates as they stand."), false,
     COLUMNS(call_columns), NULL, sql_calls_process, NULL},
    {"deadline-changes", N_("One change of a call's deadline or state, with its reason: the calls' history."), true,
     COLUMNS(deadline_columns), sql_deadlines_call, sql_deadlines_process, NULL},
    {"meetings", N_("One meeting of the process."), false, COLUMNS(meeting_columns), NULL, sql_meetings_process, NULL},
};
const int EXPORT_NDATASETS = (int)(sizeof EXPORT_DATASETS / sizeof EXPORT_DATASETS[0]);

const struct export_dataset *export_dataset_find(const char *name)
{
	for (int i = 0; name && i < EXPORT_NDATASETS; i++)
		if (!strcmp(EXPORT_DATASETS[i].name, name))
			return &EXPORT_DATASETS[i];
	return NULL;
}

/* A version's page in a language: "/versions/" digits "?text=" a tag's characters, whose query is kept. */
static const char *version_text_query(const char *path)
{
	static const char prefix[] = "/versions/", text[] = "?text=";
	if (strncmp(path, prefix, sizeof prefix - 1) != 0)
		return NULL;
	const char *q = path + sizeof prefix - 1 + strspn(path + sizeof prefix - 1, "0123456789");
	if (strncmp(q, text, sizeof text - 1) != 0)
		return NULL;
	const char *tag = q + sizeof text - 1;
	const size_t n = strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
	return n && !tag[n] ? q : NULL;
}

/* The site's address, then path with its last segment percent-encoded (RFC 3986: unreserved characters kept);
 * a version's page in a language keeps its query (version_text_query). */
static void url_of(struct buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const struct config *c = config_get();
	buf_puts(b, c && c->public_url ? c->public_url : "");
	const char *q = version_text_query(path);
	const size_t end = q ? (size_t)(q - path) : strlen(path);
	const char *last = path + end;
	while (last > path && last[-1] != '/')
		last--;
	const size_t head = (size_t)(last - path);
	buf_append(b, path, head);
	for (const unsigned char *s = (const unsigned char *)path + head; s < (const unsigned char *)path + end; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		    *s == '.' || *s == '_' || *s == '~') {
			buf_putc(b, (char)*s);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*s >> 4]);
			buf_putc(b, hex[*s & 15]);
		}
	}
	if (q)
		buf_puts(b, q);
}

/* Room for the cells made here (instants, addresses) of one row; no dataset has more columns. */
enum { EXPORT_MAX_COLUMNS = 32 };

int export_each(struct db *db, const struct export_dataset *d, enum export_scope scope, int64_t id, export_row_fn fn,
                void *ctx, struct error *e)
{
	const char *sql = scope == EXPORT_CALL ? d->sql_call : d->sql_process;
	if (!sql) {
		error_set(e, ERROR_NOT_FOUND, _("The %s are exported per process, not per call."), d->name);
		return -1;
	}
	if (d->each)
		return d->each(db, id, fn, ctx, e);
	if (d->ncolumns > EXPORT_MAX_COLUMNS) {
		error_set(e, ERROR_INTERNAL, "the dataset %s has too many columns", d->name);
		return -1;
	}
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	char instants[EXPORT_MAX_COLUMNS][CLOCK_RFC3339_LEN];
	const char *cells[EXPORT_MAX_COLUMNS];
	/* The addresses of one row, reused from row to row: a long export does not grow it. */
	struct buf urls;
	buf_init(&urls, 1 << 20);
	size_t url_at[EXPORT_MAX_COLUMNS];
	int ret = 0;
	enum db_step step;
	while ((step = db_step(st, e)) == DB_ROW) {
		buf_reset(&urls);
		for (int i = 0; i < d->ncolumns; i++) {
			cells[i] = db_col_null(st, i) ? NULL : db_col_text(st, i);
			if (!cells[i])
				continue;
			if (d->columns[i].type == EXPORT_INSTANT) {
				clock_format_rfc3339(db_col_int(st, i), instants[i]);
				cells[i] = instants[i];
			} else if (d->columns[i].type == EXPORT_URL) {
				url_at[i] = urls.len;
				url_of(&urls, cells[i]);
				buf_putc(&urls, '\0');
			}
		}
		if (urls.failed) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			ret = -1;
			break;
		}
		/* The buffer may have moved while it grew: the addresses are placed once the row is complete. */
		for (int i = 0; i < d->ncolumns; i++)
			if (cells[i] && d->columns[i].type == EXPORT_URL)
				cells[i] = urls.data + url_at[i];
		if ((ret = fn(cells, ctx)) != 0)
			break;
	}
	db_reset(st);
	buf_free(&urls);
	if (step == DB_FAIL)
		return -1;
	return ret;
}
