/* disposition — see disposition.h. */
#include "core/disposition.h"
#include "core/account.h"
#include "core/comment.h"
#include "core/contribution.h"
#include "core/document.h"
#include "core/field.h"
#include "core/limits.h"
#include "core/outbox.h"
#include "core/config.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const DECISION_NAMES[] = {"accepted", "accepted_in_part", "not_accepted", "noted"};
enum { NDECISIONS = (int)(sizeof DECISION_NAMES / sizeof *DECISION_NAMES) };

const char *disposition_decision_name(enum disposition_decision d)
{
	return (int)d >= 0 && (int)d < NDECISIONS ? DECISION_NAMES[d] : "unknown";
}

bool disposition_decision_parse(const char *name, enum disposition_decision *out)
{
	int i = field_enum_index(DECISION_NAMES, NDECISIONS, name);
	if (i < 0)
		return false;
	*out = (enum disposition_decision)i;
	return true;
}

/* An input checked and resolved: the decision read, the reason trimmed, the paragraph's version found. */
struct checked {
	enum disposition_decision decision;
	const char *reason;
	const char *pid; /* NULL: none */
	int number;      /* the paragraph as its page numbers it (¶3), when given so: its pid is found in the version */
	int64_t version_id;
};

/* The paragraph number a person reads on the page, "¶3" or "3"; 0 if said is neither. */
static int shown_number(const char *said)
{
	if (!strncmp(said, "\u00b6", 2))
		said += 2;
	if (!*said || strlen(said) > 6 || strspn(said, "0123456789") != strlen(said))
		return 0;
	return (int)strtol(said, NULL, 10); /* at most 6 digits: no overflow */
}

static int check_input(struct arena *a, const struct disposition_input *in, struct checked *out, struct error *e)
{
	memset(out, 0, sizeof *out);
	if (!in->decision || !disposition_decision_parse(in->decision, &out->decision))
		error_field(e, "decision", _("Choose an answer: accepted, accepted in part, not accepted or noted."));
	out->reason = field_trimmed(a, in->reason);
	field_check_text(e, "reason", out->reason, true, LIMIT_DISPOSITION_REASON, N_("the reason for this answer"));
	const char *pid = field_trimmed(a, in->paragraph);
	out->pid = pid && *pid ? pid : NULL;
	/* as the page numbers it ("¶3", "3"), or by its id ("p3": the API's, which the numbers never look like) */
	if (out->pid && (out->number = shown_number(out->pid)) > 0)
		out->pid = NULL;
	else if (out->pid && (strlen(out->pid) > 32 ||
	                      strspn(out->pid, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(out->pid)))
		error_field(e, "paragraph",
		            _("Give the number of a paragraph of the later version, as its page shows it: \u00b63."));
	out->version_id = in->version_id;
	return e->code ? -1 : 0;
}

/* What the answer to a comment needs to know of it. */
struct target {
	int64_t call_id, process_id, version_id, document_id, published_at;
};

static int load_target(struct db *db, int64_t comment_id, struct target *t, struct error *e)
{
	static const char sql[] =
	    "SELECT k.call_id, ca.process_id, c.version_id, v.document_id, ca.dispositions_published_at "
	    "FROM comment c JOIN contribution k ON k.id = c.contribution_id JOIN call ca ON ca.id = k.call_id "
	    "JOIN version v ON v.id = c.version_id WHERE c.id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, comment_id);
	enum db_step s = db_step(st, e);
	if (s != DB_ROW) {
		if (s == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such comment."));
		return -1;
	}
	t->call_id = db_col_int(st, 0);
	t->process_id = db_col_int(st, 1);
	t->version_id = db_col_int(st, 2);
	t->document_id = db_col_int(st, 3);
	t->published_at = db_col_null(st, 4) ? 0 : db_col_int(st, 4);
	db_reset(st);
	return 0;
}

/* Finds the version of the paragraph where the text landed: the one named (of the comment's document, later
 * than the comment's version) or the newest published one after it; and checks the pid is in it. */
static int resolve_paragraph(struct db *db, struct arena *a, const struct target *t, struct checked *c,
                             struct error *e)
{
	if (!c->pid && !c->number) {
		c->version_id = 0;
		return 0;
	}
	static const char sql_named[] = "SELECT id FROM version WHERE id = ? AND document_id = ? AND id > ?";
	static const char sql_newest[] = "SELECT id FROM version WHERE document_id = ? AND id > ? "
	                                 "AND state = 'published' ORDER BY id DESC LIMIT 1";
	struct db_stmt *st = db_stmt(db, c->version_id ? sql_named : sql_newest, e);
	if (!st)
		return -1;
	int i = 1;
	if (c->version_id)
		db_bind_int(st, i++, c->version_id);
	db_bind_int(st, i++, t->document_id);
	db_bind_int(st, i, t->version_id);
	enum db_step s = db_step(st, e);
	if (s == DB_FAIL)
		return -1;
	if (s == DB_DONE) {
		error_field(e, c->version_id ? "version_id" : "paragraph",
		            c->version_id ? "This is not a later version of the commented document."
		                          : "The commented document has no later published version yet.");
		return -1;
	}
	c->version_id = db_col_int(st, 0);
	db_reset(st);
	static const char sql_pid[] = "SELECT pid FROM paragraph WHERE version_id = ? AND pid = ?";
	static const char sql_number[] = "SELECT pid FROM paragraph WHERE version_id = ? AND number = ?";
	if (!(st = db_stmt(db, c->number ? sql_number : sql_pid, e)))
		return -1;
	db_bind_int(st, 1, c->version_id);
	if (c->number)
		db_bind_int(st, 2, c->number);
	else
		db_bind_text(st, 2, c->pid);
	s = db_step(st, e);
	if (s == DB_FAIL)
		return -1;
	bool failed = false;
	if (s == DB_ROW)
		c->pid = db_col_dup(st, 0, a, &failed);
	db_reset(st);
	if (failed) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (s == DB_DONE) {
		if (c->number)
			error_field(e, "paragraph", _("The later version has no paragraph \u00b6%d."), c->number);
		else
			error_field(e, "paragraph", _("The later version has no paragraph %s."), c->pid);
		return -1;
	}
	return 0;
}

static int fill_disposition(struct arena *a, struct db_stmt *st, void *element)
{
	struct disposition *d = element;
	bool failed = false;
	d->comment_id = db_col_int(st, 0);
	const char *decision = db_col_text(st, 1);
	if (!decision || !disposition_decision_parse(decision, &d->decision))
		return DB_FILL_UNKNOWN;
	d->reason = db_col_dup(st, 2, a, &failed);
	d->version_id = db_col_null(st, 3) ? 0 : db_col_int(st, 3);
	d->pid = db_col_dup(st, 4, a, &failed);
	d->decided_at = db_col_int(st, 5);
	d->decided_by = db_col_int(st, 6);
	d->revision = (int)db_col_int(st, 7);
	return failed ? -1 : 0;
}

/* A row of disposition_attach(): fill_disposition's columns, then the landing paragraph's number and its
 * version's label. */
static int fill_attached(struct arena *a, struct db_stmt *st, void *element)
{
	int rc = fill_disposition(a, st, element);
	if (rc != 0)
		return rc;
	struct disposition *d = element;
	bool failed = false;
	d->number = (int)db_col_int(st, 9);
	d->version_label = db_col_dup(st, 10, a, &failed);
	return failed ? -1 : 0;
}

int disposition_find(struct db *db, struct arena *a, int64_t comment_id, struct disposition *out, struct error *e)
{
	static const char sql[] = "SELECT comment_id, decision, reason, version_id, pid, decided_at, decided_by, "
	                          "revision FROM disposition WHERE comment_id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, comment_id);
	return db_collect_one(st, a, out, fill_disposition, "This comment has no disposition yet.", e);
}

int disposition_history(struct db *db, struct arena *a, int64_t comment_id, struct disposition **out, int *n,
                        struct error *e)
{
	static const char sql[] = "SELECT comment_id, decision, reason, version_id, pid, decided_at, decided_by, "
	                          "revision FROM disposition_history WHERE comment_id = ? ORDER BY revision";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, comment_id);
	*out = NULL;
	*n = 0;
	return db_collect(st, a, (void **)out, n, sizeof **out, fill_disposition, e);
}

static json_t *audit_value(const struct disposition *d)
{
	return json_pack("{s:s,s:s,s:o,s:o,s:i}", "decision", disposition_decision_name(d->decision), "reason",
	                 d->reason, "paragraph", d->pid ? json_string(d->pid) : json_null(), "version_id",
	                 d->version_id ? json_integer(d->version_id) : json_null(), "revision", d->revision);
}

static bool same_text(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

/* The same reason, line ends aside: a form's textarea sends CR LF, and the reason read back from the
 * matrix's CSV or XLSX has LF alone, which is no revision. */
static bool same_reason(const char *x, const char *y)
{
	for (;;) {
		if (x[0] == '\r' && x[1] == '\n')
			x++;
		if (y[0] == '\r' && y[1] == '\n')
			y++;
		if (*x != *y)
			return false;
		if (!*x)
			return true;
		x++, y++;
	}
}

/* Records one answer inside the caller's transaction; 1 when unchanged, 0 when written, -1 on error. of_call
 * (0: any) is the call the comment must belong to: another's is ERROR_NOT_FOUND. Every refusal (not found,
 * published, paragraph) comes before the first write, so that the caller may go on with other answers. */
static int record_one(struct db *db, struct arena *a, const struct actor *who, int64_t comment_id, int64_t of_call,
                      const struct checked *in, struct disposition *out, struct error *e)
{
	struct target t;
	if (load_target(db, comment_id, &t, e) != 0) {
		if (e->code && !strcmp(e->code, ERROR_NOT_FOUND))
			error_set(e, ERROR_NOT_FOUND, _("There is no comment %lld."), (long long)comment_id);
		return -1;
	}
	if (of_call && t.call_id != of_call) {
		error_set(e, ERROR_NOT_FOUND, _("Comment %lld is a comment of another call."), (long long)comment_id);
		return -1;
	}
	if (t.published_at) {
		error_set(e, ERROR_CONFLICT, _("The dispositions of this call are published: they no longer change."));
		return -1;
	}
	struct checked c = *in;
	if (resolve_paragraph(db, a, &t, &c, e) != 0)
		return -1;
	struct disposition before;
	bool had = disposition_find(db, a, comment_id, &before, e) == 0;
	if (!had) {
		if (strcmp(e->code, ERROR_NOT_FOUND) != 0)
			return -1;
		error_clear(e);
	}
	if (had && before.decision == c.decision && same_reason(before.reason, c.reason) && same_text(before.pid, c.pid) &&
	    before.version_id == c.version_id) {
		*out = before;
		return 1;
	}
	struct disposition d = {.comment_id = comment_id,
	                        .decision = c.decision,
	                        .reason = c.reason,
	                        .version_id = c.version_id,
	                        .pid = c.pid,
	                        .decided_at = clock_now(),
	                        .decided_by = who->account_id,
	                        .revision = had ? before.revision + 1 : 1};
	static const char sql_insert[] = "INSERT INTO disposition (decision, reason, version_id, pid, decided_at, "
	                                 "decided_by, revision, comment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	static const char sql_update[] = "UPDATE disposition SET decision = ?, reason = ?, version_id = ?, pid = ?, "
	                                 "decided_at = ?, decided_by = ?, revision = ? WHERE comment_id = ?";
	static const char sql_history[] =
	    "INSERT INTO disposition_history (decision, reason, version_id, pid, "
	    "decided_at, decided_by, revision, comment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	const char *const sqls[] = {had ? sql_update : sql_insert, sql_history};
	for (int i = 0; i < 2; i++) {
		struct db_stmt *st = db_stmt(db, sqls[i], e);
		if (!st)
			return -1;
		db_bind_text(st, 1, disposition_decision_name(d.decision));
		db_bind_text(st, 2, d.reason);
		if (d.version_id)
			db_bind_int(st, 3, d.version_id);
		else
			db_bind_null(st, 3);
		db_bind_text(st, 4, d.pid);
		db_bind_int(st, 5, d.decided_at);
		if (d.decided_by)
			db_bind_int(st, 6, d.decided_by);
		else
			db_bind_null(st, 6);
		db_bind_int(st, 7, d.revision);
		db_bind_int(st, 8, comment_id);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	if (audit_record(db, who, t.process_id, "disposition.record",
	                 arena_printf(a, "comment:%lld", (long long)comment_id),
	                 had ? audit_json(a, audit_value(&before)) : NULL, audit_json(a, audit_value(&d)), e) != 0)
		return -1;
	*out = d;
	return 0;
}

int disposition_record(struct db *db, struct arena *a, const struct actor *who, int64_t comment_id,
                       const struct disposition_input *in, struct disposition *out, bool *unchanged, struct error *e)
{
	struct checked c;
	if (check_input(a, in, &c, e) != 0)
		return -1;
	if (db_begin(db, e) != 0)
		return -1;
	int rc = record_one(db, a, who, comment_id, 0, &c, out, e);
	if (rc < 0 || db_commit(db, e) != 0) {
		db_rollback(db);
		return -1;
	}
	*unchanged = rc == 1;
	return 0;
}

/* A comment's text for finding identical ones: spaces collapsed, ASCII letters lower-cased, trimmed. */
char *disposition_normalized(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1);
	if (!out)
		return NULL;
	size_t j = 0;
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isspace(*p)) {
			space = j > 0;
			continue;
		}
		if (space)
			out[j++] = ' ';
		space = false;
		out[j++] = (char)tolower(*p);
	}
	out[j] = '\0';
	return out;
}

/* One comment of a call as a selection reads it. */
struct candidate {
	int64_t id;
	const char *pid, *type, *category, *comment;
	int64_t campaign; /* of its contribution, 0 for none */
	int number;       /* its paragraph's ¶N in the version commented, 0 for none */
	bool answered;
};

static int fill_candidate(struct arena *a, struct db_stmt *st, void *element)
{
	struct candidate *c = element;
	bool failed = false;
	c->id = db_col_int(st, 0);
	c->pid = db_col_dup(st, 1, a, &failed);
	c->type = db_col_dup(st, 2, a, &failed);
	c->category = db_col_dup(st, 3, a, &failed);
	c->comment = db_col_dup(st, 4, a, &failed);
	c->campaign = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
	c->number = (int)db_col_int(st, 6);
	c->answered = db_col_int(st, 7) != 0;
	return failed ? -1 : 0;
}

int disposition_record_many(struct db *db, struct arena *a, const struct actor *who, int64_t call_id,
                            const struct disposition_selection *sel, const struct disposition_input *in, int *applied,
                            int *unchanged, int *kept, struct error *e)
{
	*applied = *unchanged = *kept = 0;
	int kinds = (sel->paragraph != NULL) + (sel->type != NULL) + (sel->category != NULL) + (sel->ids != NULL) +
	            (sel->same_as != 0) + (sel->campaign != 0);
	if (kinds != 1)
		error_field(e, "select",
		            _("Select the comments in one way only: by paragraph, by type, by the senders' category, by their "
		              "numbers, as those the same as a comment, or by campaign."));
	struct checked c;
	if (check_input(a, in, &c, e) != 0)
		return -1;
	static const char sql[] =
	    "SELECT c.id, c.pid, c.type, g.slug, c.comment, k.campaign_id, COALESCE(pa.number, 0), "
	    "CASE WHEN d.comment_id IS NULL THEN 0 ELSE 1 END FROM comment c "
	    "JOIN contribution k ON k.id = c.contribution_id JOIN category g ON g.id = k.category_id "
	    "LEFT JOIN paragraph pa ON pa.version_id = c.version_id AND pa.pid = c.pid "
	    "LEFT JOIN disposition d ON d.comment_id = c.id "
	    "WHERE k.call_id = ? AND k.state <> 'spam' ORDER BY c.id";
	if (db_begin(db, e) != 0)
		return -1;
	struct candidate *all = NULL;
	int n = 0;
	int64_t published = 0;
	/* an unknown call is 404, a published one 409, before anything is said of the selection */
	if (disposition_published_at(db, call_id, &published, e) != 0)
		goto fail;
	if (published) {
		error_set(e, ERROR_CONFLICT, _("The dispositions of this call are published: they no longer change."));
		goto fail;
	}
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, call_id);
	if (db_collect(st, a, (void **)&all, &n, sizeof *all, fill_candidate, e) != 0)
		goto fail;
	const char *same = NULL;
	for (int i = 0; i < n && sel->same_as; i++)
		if (all[i].id == sel->same_as && !(same = disposition_normalized(a, all[i].comment))) {
			error_set(e, ERROR_UNAVAILABLE, "out of memory");
			goto fail;
		}
	if (sel->same_as && !same) {
		error_field(e, "select", _("Comment %lld is not a comment of this call."), (long long)sel->same_as);
		goto fail;
	}
	for (int j = 0; j < sel->nids; j++) {
		bool found = false;
		for (int i = 0; i < n && !found; i++)
			found = all[i].id == sel->ids[j];
		if (!found) {
			error_field(e, "select", _("Comment %lld is not a comment of this call."),
			            (long long)sel->ids[j]);
			goto fail;
		}
	}
	int chosen = 0;
	/* a paragraph as the page numbers it (¶3, 3) or by its id (p3) */
	const char *paragraph = sel->paragraph ? field_trimmed(a, sel->paragraph) : NULL;
	int shown = paragraph ? shown_number(paragraph) : 0;
	for (int i = 0; i < n; i++) {
		const struct candidate *x = &all[i];
		bool take = false;
		if (shown)
			take = x->number == shown;
		else if (paragraph)
			take = *paragraph ? x->pid && !strcmp(x->pid, paragraph) : !x->pid;
		else if (sel->type)
			take = !strcmp(x->type, sel->type);
		else if (sel->category)
			take = !strcmp(x->category, sel->category);
		else if (sel->ids)
			for (int j = 0; j < sel->nids && !take; j++)
				take = sel->ids[j] == x->id;
		else if (sel->campaign)
			take = x->campaign == sel->campaign;
		else if (same) {
			const char *t = disposition_normalized(a, x->comment);
			take = t && !strcmp(t, same);
		}
		if (!take)
			continue;
		chosen++;
		if (sel->unanswered_only && x->answered) {
			(*kept)++;
			continue;
		}
		struct disposition d;
		int rc = record_one(db, a, who, x->id, call_id, &c, &d, e);
		if (rc < 0)
			goto fail;
		if (rc == 1)
			(*unchanged)++;
		else
			(*applied)++;
	}
	if (!chosen && sel->campaign) {
		error_field(e, "select",
		            _("Campaign %lld is not a campaign of this call, or its contributions have no "
		              "comments."),
		            (long long)sel->campaign);
		goto fail;
	}
	if (!chosen) {
		error_field(e, "select", _("No comment of this call is selected."));
		goto fail;
	}
	if (db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	*applied = *unchanged = *kept = 0;
	return -1;
}

/* A refusal of one item as a sentence in a: the error's message, or its fields' messages one after another. */
static const char *refusal(struct arena *a, const struct error *e)
{
	if (!e->nfields)
		return arena_strdup(a, e->message);
	const char *out = "";
	for (int i = 0; i < e->nfields && out; i++)
		out = arena_printf(a, "%s%s%s", out, i ? " " : "", e->fields[i].message);
	return out ? out : "refused";
}

int disposition_record_each(struct db *db, struct arena *a, const struct actor *who, int64_t call_id,
                            struct disposition_each *items, int n, const char *source, int *applied, int *unchanged,
                            int *refused, struct error *e)
{
	*applied = *unchanged = *refused = 0;
	static const char sql_call[] = "SELECT process_id, dispositions_published_at FROM call WHERE id = ?";
	if (db_begin(db, e) != 0)
		return -1;
	struct db_stmt *st = db_stmt(db, sql_call, e);
	if (!st)
		goto fail;
	db_bind_int(st, 1, call_id);
	enum db_step s = db_step(st, e);
	if (s != DB_ROW) {
		if (s == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such call for contributions."));
		goto fail;
	}
	const int64_t process_id = db_col_int(st, 0);
	const bool published = !db_col_null(st, 1);
	db_reset(st);
	if (published) {
		error_set(e, ERROR_CONFLICT, _("The dispositions of this call are published: they no longer change."));
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		struct disposition_each *x = &items[i];
		/* Each answer's scratch (the trimmed reason, the answer before, the audit's JSON) is freed once it is
		 * stored, so that 100,000 rows cost the memory of one. */
		struct arena scratch;
		arena_init(&scratch);
		struct error re;
		error_clear(&re);
		struct disposition_input in = x->in;
		struct disposition before, d;
		if (x->keep_paragraph) {
			if (disposition_find(db, &scratch, x->comment_id, &before, &re) == 0) {
				in.paragraph = before.pid;
				in.version_id = before.version_id;
			} else if (!strcmp(re.code, ERROR_NOT_FOUND)) {
				in.paragraph = NULL; /* no answer yet: nowhere */
				in.version_id = 0;
				error_clear(&re);
			}
		}
		struct checked c;
		int rc = re.code ? -1 : check_input(&scratch, &in, &c, &re);
		if (rc == 0)
			rc = record_one(db, &scratch, who, x->comment_id, call_id, &c, &d, &re);
		if (rc < 0 && (!strcmp(re.code, ERROR_INVALID) || !strcmp(re.code, ERROR_NOT_FOUND))) {
			/* this row's own fault, found before anything of it was written: the others go on */
			x->outcome = DISPOSITION_REFUSED;
			x->refused = refusal(a, &re);
			(*refused)++;
		} else if (rc < 0) {
			*e = re;
			arena_free(&scratch);
			goto fail;
		} else {
			x->outcome = rc == 1 ? DISPOSITION_UNCHANGED : DISPOSITION_APPLIED;
			x->refused = NULL;
			(*(rc == 1 ? unchanged : applied))++;
		}
		arena_free(&scratch);
	}
	if (source && *applied &&
	    audit_record(db, who, process_id, "disposition.upload", arena_printf(a, "call:%lld", (long long)call_id),
	                 NULL,
	                 audit_json(a, json_pack("{s:s,s:i,s:i,s:i}", "file", source, "applied", *applied, "unchanged",
	                                         *unchanged, "refused", *refused)),
	                 e) != 0)
		goto fail;
	if (db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	*applied = *unchanged = *refused = 0;
	return -1;
}

static const char SQL_REMAINING[] =
    "SELECT c.pid, COUNT(*) FROM comment c JOIN contribution k ON k.id = c.contribution_id "
    "LEFT JOIN disposition d ON d.comment_id = c.id "
    "LEFT JOIN paragraph pa ON pa.version_id = c.version_id AND pa.pid = c.pid "
    "WHERE k.call_id = ? AND k.state <> 'spam' AND d.comment_id IS NULL GROUP BY c.pid "
    "ORDER BY COALESCE(MIN(pa.number), 0), c.pid"; /* as the page's sections: the general ones, then ¶1, ¶2... */

static int fill_remaining(struct arena *a, struct db_stmt *st, void *element)
{
	struct disposition_remaining *r = element;
	bool failed = false;
	r->pid = db_col_dup(st, 0, a, &failed);
	r->count = (int)db_col_int(st, 1);
	return failed ? -1 : 0;
}

int disposition_remaining(struct db *db, struct arena *a, int64_t call_id, struct disposition_remaining **out, int *n,
                          int *total, struct error *e)
{
	struct db_stmt *st = db_stmt(db, SQL_REMAINING, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	*out = NULL;
	*n = 0;
	if (db_collect(st, a, (void **)out, n, sizeof **out, fill_remaining, e) != 0)
		return -1;
	*total = 0;
	for (int i = 0; i < *n; i++)
		*total += (*out)[i].count;
	return 0;
}

int disposition_published_at(struct db *db, int64_t call_id, int64_t *at, struct error *e)
{
	static const char sql[] = "SELECT dispositions_published_at FROM call WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	enum db_step s = db_step(st, e);
	if (s != DB_ROW) {
		if (s == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such call for contributions."));
		return -1;
	}
	*at = db_col_null(st, 0) ? 0 : db_col_int(st, 0);
	db_reset(st);
	return 0;
}

int disposition_later_version(struct db *db, int64_t call_id, int64_t *version_id, struct error *e)
{
	static const char sql[] = "SELECT v.id FROM call c JOIN version cv ON cv.id = c.version_id "
	                          "JOIN version v ON v.document_id = cv.document_id AND v.id > cv.id "
	                          "AND v.state = 'published' WHERE c.id = ? ORDER BY v.id DESC LIMIT 1";
	*version_id = 0;
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	enum db_step s = db_step(st, e);
	if (s == DB_FAIL)
		return -1;
	if (s == DB_ROW)
		*version_id = db_col_int(st, 0);
	db_reset(st);
	return 0;
}

/* One address's mail at publication (fate_mails): its contributions' links and counts per decision. */
struct fate {
	const char *email;
	const struct i18n_language *language; /* the first of its contributions' written in an offered language */
	const char *name; /* the first of its contributions' names that is not empty, or NULL */
	struct buf links;
	int counts[4];
};

/* Composed in the language of the account of f's address if it chose one (the one rule, core/account.h), else
 * f's (or first, the process's first language), the thread's restored after. */
static int fate_send(struct db *db, struct arena *a, const char *title, const struct i18n_language *first,
                     struct fate *f, struct error *e)
{
	const char *language = account_mail_language_for(db, f->email,
	                                                 f->language ? f->language->code
	                                                 : first     ? first->code
	                                                             : I18N_DEFAULT);
	const char *was = i18n_current();
	i18n_use(language);
	/* Only our words: the call, the counts and the links. The comments themselves are never repeated, so
	 * that the mail tells a reader of the mailbox nothing the sender wrote; the name greets only as receipts'
	 * does (outbox_greeting): the account's with this address, else the one a contribution gave. */
	const char *words = arena_printf(
		a,
		_("The secretariat has published its answers to the comments sent to the call \"%s\" with this e-mail "
		"address.\n\n"
		"Accepted: %d\n"
		"Accepted in part: %d\n"
		"Not accepted: %d\n"
		"Noted: %d\n\n"
		"Each comment with its answer and its reason is on the page of its contribution:\n%s"),
		title, f->counts[DECISION_ACCEPTED], f->counts[DECISION_ACCEPTED_IN_PART],
		f->counts[DECISION_NOT_ACCEPTED], f->counts[DECISION_NOTED], f->links.data ? f->links.data : "");
	const char *greeting = outbox_greeting(a, account_mail_name_for(db, a, f->email, f->name));
	const char *body = words && greeting ? arena_printf(a, "%s\n\n%s", greeting, words) : NULL;
	const char *subject = arena_printf(a, _("Answers to your comments: %s"), title);
	i18n_use(was);
	buf_free(&f->links);
	if (!body || !subject) {
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	/* Kind "fate" is not limited per recipient or requester: the secretariat's act sends it, once per
	 * address and call, never a stranger's request. */
	struct outbox_mail mail = {.kind = "fate", .to = f->email, .subject = subject, .body = body, .language = language};
	return outbox_enqueue(db, &mail, e);
}

/* Inside disposition_publish()'s transaction: one mail per address (compared without regard to case) that
 * sent a contribution to call_id that is not spam, with the counts of its comments' decisions and a link per
 * contribution: its public page when public, else its receipt (which only the tracking number opens). */
static int fate_mails(struct db *db, struct arena *a, int64_t call_id, struct error *e)
{
	static const char sql_title[] =
	    "SELECT c.title, p.languages FROM call c JOIN process p ON p.id = c.process_id WHERE c.id = ?";
	struct db_stmt *st = db_stmt(db, sql_title, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	if (db_step(st, e) != DB_ROW)
		return -1;
	bool failed = false;
	const char *title = db_col_dup(st, 0, a, &failed);
	/* A contributor's mail is in the language they wrote in when it is one of ours, else the process's first. */
	const struct i18n_language *first = i18n_first_of(db_col_text(st, 1));
	db_reset(st);
	static const char sql[] =
	    "SELECT k.email, k.id, k.tracking, CASE WHEN k.publication <> 'private' AND k.state IN ('published', 'hidden') "
	    "THEN 1 ELSE 0 END, d.decision, count(*), k.language, k.name FROM contribution k "
	    "JOIN comment c ON c.contribution_id = k.id JOIN disposition d ON d.comment_id = c.id "
	    "WHERE k.call_id = ? AND k.state <> 'spam' AND k.email <> '' "
	    "GROUP BY k.email, k.id, k.tracking, k.publication, k.state, d.decision, k.language, k.name "
	    "ORDER BY lower(k.email), k.id";
	if (failed || !(st = db_stmt(db, sql, e)))
		return -1;
	db_bind_int(st, 1, call_id);
	const char *url = config_get()->public_url;
	struct fate f = {0};
	/* The current address's strings and mail live in an arena of their own, freed once its mail is queued:
	 * 10,000 addresses cost the memory of one. */
	struct arena cur;
	arena_init(&cur);
	int64_t last_id = 0;
	enum db_step s;
	int rc = 0;
	while ((s = db_step(st, e)) == DB_ROW) {
		const char *email = db_col_text(st, 0); /* valid until the next step */
		int64_t id = db_col_int(st, 1);
		const char *tracking = db_col_text(st, 2);
		bool public = db_col_int(st, 3) != 0; /* as contribution_is_public() */
		enum disposition_decision d;
		if (!email || !tracking || !disposition_decision_parse(db_col_text(st, 4), &d)) {
			error_set(e, ERROR_UNAVAILABLE, "A disposition could not be read.");
			rc = -1;
			break;
		}
		int count = (int)db_col_int(st, 5);
		if (f.email && strcasecmp(f.email, email) != 0) {
			if (fate_send(db, &cur, title, first, &f, e) != 0) {
				rc = -1;
				break;
			}
			f = (struct fate){0};
			last_id = 0;
			arena_free(&cur);
			arena_init(&cur);
		}
		if (!f.email) {
			if (!(f.email = arena_strdup(&cur, email))) {
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				rc = -1;
				break;
			}
			buf_init(&f.links, 64 * 1024);
		}
		if (!f.language && db_col_text(st, 6))
			f.language = i18n_find(db_col_text(st, 6));
		if (!f.name && db_col_text(st, 7) && *db_col_text(st, 7))
			f.name = arena_strdup(&cur, db_col_text(st, 7));
		if (id != last_id)
			buf_printf(&f.links, "%s/%s/%s\n", url, public ? "contributions" : "receipts", tracking);
		last_id = id;
		f.counts[d] += count;
	}
	db_reset(st);
	if (rc == 0 && s == DB_FAIL)
		rc = -1;
	if (rc == 0 && f.email)
		rc = fate_send(db, &cur, title, first, &f, e);
	else if (f.email)
		buf_free(&f.links);
	arena_free(&cur);
	return rc;
}

int disposition_publish(struct db *db, struct arena *a, const struct actor *who, int64_t call_id, struct error *e)
{
	if (db_begin(db, e) != 0)
		return -1;
	int64_t at = 0, process_id = 0;
	struct disposition_remaining *rem;
	int n, total;
	static const char sql_process[] = "SELECT process_id FROM call WHERE id = ?";
	struct db_stmt *st;
	if (disposition_published_at(db, call_id, &at, e) != 0 || !(st = db_stmt(db, sql_process, e)))
		goto fail;
	db_bind_int(st, 1, call_id);
	if (db_step(st, e) != DB_ROW)
		goto fail;
	process_id = db_col_int(st, 0);
	db_reset(st);
	if (at) {
		error_set(e, ERROR_CONFLICT, _("The dispositions of this call are published already."));
		goto fail;
	}
	if (disposition_remaining(db, a, call_id, &rem, &n, &total, e) != 0)
		goto fail;
	if (total > 0) {
		error_set(e, ERROR_CONFLICT,
		          i18n_n("%d comment has no disposition yet: answer every comment before publishing.",
		                 "%d comments have no disposition yet: answer every comment before publishing.",
		                 (unsigned long)total),
		          total);
		goto fail;
	}
	static const char sql[] = "UPDATE call SET dispositions_published_at = ? WHERE id = ?";
	at = clock_now();
	if (!(st = db_stmt(db, sql, e)))
		goto fail;
	db_bind_int(st, 1, at);
	db_bind_int(st, 2, call_id);
	if (db_exec_stmt(st, e) != 0 ||
	    audit_record(db, who, process_id, "disposition.publish", arena_printf(a, "call:%lld", (long long)call_id),
	                 NULL, audit_json(a, json_pack("{s:I}", "published_at", (json_int_t)at)), e) != 0 ||
	    /* the answers now show on the document's version pages ("you said, we did"): their cache key moves */
	    document_comments_changed(db, call_id, e) != 0 || fate_mails(db, a, call_id, e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int disposition_comment_call(struct db *db, int64_t comment_id, int64_t *call_id, struct error *e)
{
	struct target t;
	if (load_target(db, comment_id, &t, e) != 0)
		return -1;
	*call_id = t.call_id;
	return 0;
}

int disposition_attach(struct db *db, struct arena *a, struct contribution *items, int n, struct error *e)
{
	if (n <= 0)
		return 0;
	int64_t lo = items[0].id, hi = items[0].id;
	for (int i = 0; i < n; i++) {
		if (items[i].id < lo)
			lo = items[i].id;
		if (items[i].id > hi)
			hi = items[i].id;
	}
	/* One query for the page, as comment_attach() does: the ids of a page of one call's list lie in one
	 * range (the answers of other contributions in it find no comment below). */
	static const char sql[] =
	    "SELECT d.comment_id, d.decision, d.reason, d.version_id, d.pid, d.decided_at, "
	    "d.decided_by, d.revision, c.contribution_id, COALESCE(pa.number, 0), v.label FROM disposition d "
	    "JOIN comment c ON c.id = d.comment_id "
	    "LEFT JOIN paragraph pa ON pa.version_id = d.version_id AND pa.pid = d.pid "
	    "LEFT JOIN version v ON v.id = d.version_id "
	    "WHERE c.contribution_id BETWEEN ? AND ? ORDER BY d.comment_id";
	/* A page whose ids are spread over the call (by name, or a sparse narrowing): each item's own range (one
	 * id), rather than every answer between the first and the last (as comment_attach). */
	const bool each = hi - lo >= 4 * (int64_t)n;
	struct disposition *ds = NULL;
	int nd = 0;
	for (int i = 0; i < n; i++) {
		if (i == 0 || each) {
			struct db_stmt *st = db_stmt(db, sql, e);
			if (!st)
				return -1;
			db_bind_int(st, 1, each ? items[i].id : lo);
			db_bind_int(st, 2, each ? items[i].id : hi);
			if (db_collect(st, a, (void **)&ds, &nd, sizeof *ds, fill_attached, e) != 0)
				return -1;
		}
		/* each comment looks for its answer by binary search: the answers come by comment id */
		for (int k = 0; k < items[i].ncomments; k++) {
			struct comment *c = &items[i].comments[k];
			int l = 0, h = nd;
			while (l < h) {
				int m = l + (h - l) / 2;
				if (ds[m].comment_id < c->id)
					l = m + 1;
				else
					h = m;
			}
			c->disposition = l < nd && ds[l].comment_id == c->id ? &ds[l] : NULL;
		}
	}
	return 0;
}

static int fill_item(struct arena *a, struct db_stmt *st, void *element)
{
	struct disposition_item *x = element;
	bool failed = false;
	x->comment_id = db_col_int(st, 0);
	x->pid = db_col_dup(st, 1, a, &failed);
	x->number = (int)db_col_int(st, 2);
	x->type = db_col_dup(st, 3, a, &failed);
	x->comment = db_col_dup(st, 4, a, &failed);
	x->proposed_change = db_col_dup(st, 5, a, &failed);
	x->tracking = db_col_dup(st, 6, a, &failed);
	x->name = db_col_dup(st, 7, a, &failed);
	x->category = db_col_dup(st, 8, a, &failed);
	x->answered = !db_col_null(st, 9);
	if (failed)
		return -1;
	/* the disposition's columns follow, in fill_disposition's order from its decision */
	if (!x->answered)
		return 0;
	x->d.comment_id = x->comment_id;
	if (!disposition_decision_parse(db_col_text(st, 9), &x->d.decision))
		return DB_FILL_UNKNOWN;
	x->d.reason = db_col_dup(st, 10, a, &failed);
	x->d.version_id = db_col_null(st, 11) ? 0 : db_col_int(st, 11);
	x->d.pid = db_col_dup(st, 12, a, &failed);
	x->d.decided_at = db_col_int(st, 13);
	x->d.decided_by = db_col_int(st, 14);
	x->d.revision = (int)db_col_int(st, 15);
	return failed ? -1 : 0;
}

int disposition_comments(struct db *db, struct arena *a, int64_t call_id, struct disposition_item **out, int *n,
                         struct error *e)
{
	static const char sql[] =
	    "SELECT c.id, c.pid, COALESCE(pa.number, 0), c.type, c.comment, c.proposed_change, k.tracking, k.name, "
	    "g.slug, d.decision, d.reason, d.version_id, d.pid, d.decided_at, d.decided_by, d.revision "
	    "FROM comment c JOIN contribution k ON k.id = c.contribution_id JOIN category g ON g.id = k.category_id "
	    "LEFT JOIN paragraph pa ON pa.version_id = c.version_id AND pa.pid = c.pid "
	    "LEFT JOIN disposition d ON d.comment_id = c.id "
	    "WHERE k.call_id = ? AND k.state <> 'spam' ORDER BY COALESCE(pa.number, 0), c.pid, c.id";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	*out = NULL;
	*n = 0;
	return db_collect(st, a, (void **)out, n, sizeof **out, fill_item, e);
}
