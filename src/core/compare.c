/* compare — see compare.h. */
#include "core/compare.h"

#include "core/paragraph_match.h"
#include "core/version_text.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static const char *const STATUS_NAMES[COMPARE_NSTATUS] = {
    [COMPARE_UNCHANGED] = "unchanged", [COMPARE_EDITED] = "edited",   [COMPARE_MOVED] = "moved",
    [COMPARE_ADDED] = "added",         [COMPARE_REMOVED] = "removed", [COMPARE_SPLIT] = "split",
    [COMPARE_MERGED] = "merged",
};

const char *compare_status_name(enum compare_status s)
{
	return (unsigned)s < COMPARE_NSTATUS ? STATUS_NAMES[s] : "unknown";
}

bool compare_status_parse(const char *name, enum compare_status *out)
{
	for (int i = 0; name && i < COMPARE_NSTATUS; i++)
		if (!strcmp(name, STATUS_NAMES[i])) {
			*out = (enum compare_status)i;
			return true;
		}
	return false;
}

/* A version without its text (the page of 1,000 paragraphs need not be read to compare it). */
static int version_head(struct db *db, struct arena *a, int64_t id, struct version *out, struct error *e)
{
	static const char sql[] = "SELECT id, document_id, date, label, note, paragraphs, NULL, NULL, state, "
	                          "previous_id FROM version WHERE id = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, id);
	memset(out, 0, sizeof *out);
	return db_collect_one(st, a, out, version_from_row, "There is no such version.", e);
}

/* The positions, in b's order, of paired paragraphs that keep their order: marks keep[k] for the k-th of
 * pos[] (positions in a) that belong to one longest increasing subsequence. O(n log n). */
static int longest_increasing(struct arena *a, const int *pos, int n, bool *keep)
{
	if (n == 0)
		return 0;
	int *tail = arena_alloc(a, sizeof *tail * (size_t)n); /* index into pos of the smallest tail per length */
	int *prev = arena_alloc(a, sizeof *prev * (size_t)n);
	if (!tail || !prev)
		return -1;
	int len = 0;
	for (int k = 0; k < n; k++) {
		int lo = 0, hi = len;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (pos[tail[mid]] < pos[k])
				lo = mid + 1;
			else
				hi = mid;
		}
		prev[k] = lo > 0 ? tail[lo - 1] : -1;
		tail[lo] = k;
		if (lo == len)
			len++;
	}
	for (int k = tail[len - 1]; k >= 0; k = prev[k])
		keep[k] = true;
	return 0;
}

struct by_pid {
	const char *pid;
	int index;
};

static int by_pid_cmp(const void *x, const void *y)
{
	return strcmp(((const struct by_pid *)x)->pid, ((const struct by_pid *)y)->pid);
}

static struct compare_row *row_add(struct arena *a, struct comparison *out, int *cap, const char *pid,
                                   enum compare_status status, const struct paragraph *pa, const struct paragraph *pb)
{
	struct compare_row *row = arena_push(a, (void **)&out->rows, &out->nrows, cap, sizeof *row);
	if (!row)
		return NULL;
	row->pid = pid;
	row->status = status;
	row->a = pa;
	row->b = pb;
	out->count[status]++;
	return row;
}

static int oom(struct error *e)
{
	error_set(e, ERROR_UNAVAILABLE, "out of memory");
	return -1;
}

/* Whether paragraph pid of version a was merged into one of b's (b matched against a). */
static bool merged_into(const struct paragraph *pb, int nb, const char *pid)
{
	enum paragraph_relation rel;
	for (int k = 0; k < nb; k++)
		if (pb[k].relation && paragraph_relation_parse(pb[k].relation, &rel) == 0 && rel == PARAGRAPH_MERGED)
			for (int f = 0; f < pb[k].nfrom; f++)
				if (!strcmp(pb[k].from[f], pid))
					return true;
	return false;
}

int compare_versions(struct db *db, struct arena *a, int64_t a_id, int64_t b_id, bool drafts, struct comparison *out,
                     struct error *e)
{
	return compare_versions_in(db, a, a_id, b_id, drafts, NULL, out, e);
}

int compare_versions_in(struct db *db, struct arena *a, int64_t a_id, int64_t b_id, bool drafts,
                        const char *language, struct comparison *out, struct error *e)
{
	static const char sql_doc[] = "SELECT id, process_id, slug, title FROM document WHERE id = ?";
	static const char sql_versions[] = "SELECT id, document_id, date, label, note, paragraphs, NULL, NULL, state, "
	                                   "previous_id FROM version WHERE document_id = ? AND "
	                                   "(state = 'published' OR ? = 1) ORDER BY date, id";
	memset(out, 0, sizeof *out);
	if (version_head(db, a, a_id, &out->a, e) != 0 || version_head(db, a, b_id, &out->b, e) != 0)
		return -1;
	/* A draft (its paragraph matches await confirmation) is the secretariat's alone. */
	if (!drafts && (out->a.state == VERSION_DRAFT || out->b.state == VERSION_DRAFT)) {
		error_set(e, ERROR_NOT_FOUND, _("There is no such version."));
		return -1;
	}
	if (out->a.document_id != out->b.document_id) {
		error_set(e, ERROR_NOT_FOUND, _("These two versions are not versions of the same document."));
		return -1;
	}
	struct db_stmt *st = db_stmt(db, sql_doc, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, out->a.document_id);
	if (db_collect_one(st, a, &out->doc, document_from_row, "There is no such document.", e) != 0)
		return -1;
	if (!(st = db_stmt(db, sql_versions, e)))
		return -1;
	db_bind_int(st, 1, out->doc.id);
	db_bind_int(st, 2, drafts);
	if (db_collect(st, a, (void **)&out->doc.versions, &out->doc.nversions, sizeof *out->doc.versions,
	               version_from_row, e) != 0)
		return -1;

	struct paragraph *pa, *pb;
	int na, nb;
	/* In language when both versions have a text in it (the caller chose: core/version_text.h), else their own;
	 * the pairing is by pid, the same in every language. */
	bool in_a = false, in_b = false;
	if (version_text_paragraphs(db, a, a_id, language, &pa, &na, &in_a, e) != 0 ||
	    version_text_paragraphs(db, a, b_id, language, &pb, &nb, &in_b, e) != 0)
		return -1;
	if (in_a != in_b && (paragraph_list(db, a, a_id, &pa, &na, e) != 0 || paragraph_list(db, a, b_id, &pb, &nb, e) != 0))
		return -1; /* one text in it, not the other: both in their own language, never one in each */
	out->language_text = in_a && in_b;

	/* Pair by pid: a's paragraphs sorted by pid, looked up for each of b's. */
	struct by_pid *index = arena_alloc(a, sizeof *index * (size_t)(na + 1));
	int *match = arena_alloc(a, sizeof *match * (size_t)(nb + 1));    /* b's k-th → index in a, or -1 */
	bool *paired = arena_alloc(a, sizeof *paired * (size_t)(na + 1)); /* a's i-th has a partner in b */
	int *pos = arena_alloc(a, sizeof *pos * (size_t)(nb + 1));        /* a-indices of paired, in b order */
	int *which = arena_alloc(a, sizeof *which * (size_t)(nb + 1));    /* the b index of each pos[] */
	bool *keep = arena_alloc(a, sizeof *keep * (size_t)(nb + 1));
	bool *in_place = arena_alloc(a, sizeof *in_place * (size_t)(nb + 1)); /* per b index */
	if (!index || !match || !paired || !pos || !which || !keep || !in_place)
		return oom(e);
	for (int i = 0; i < na; i++)
		index[i] = (struct by_pid){pa[i].pid, i};
	if (na > 1)
		qsort(index, (size_t)na, sizeof *index, by_pid_cmp);
	int npaired = 0;
	for (int k = 0; k < nb; k++) {
		struct by_pid key = {pb[k].pid, 0};
		const struct by_pid *hit = na ? bsearch(&key, index, (size_t)na, sizeof *index, by_pid_cmp) : NULL;
		match[k] = hit ? hit->index : -1;
		if (hit) {
			paired[hit->index] = true;
			which[npaired] = k;
			pos[npaired++] = hit->index;
		}
	}
	if (longest_increasing(a, pos, npaired, keep) != 0)
		return oom(e);
	for (int q = 0; q < npaired; q++)
		in_place[which[q]] = keep[q];

	/* When b was matched against a, its paragraphs say which new ones were split from one of a's and which
	 * of a's were merged into one of b's. */
	const bool consecutive = out->b.previous_id == a_id;
	/* Rows in b's order; a removed paragraph comes once every paragraph before it in a that stayed in
	 * place has been written, so it shows where it was. */
	int cap = 0, next_a = 0;
	for (int k = 0; k <= nb; k++) {
		int upto = k < nb ? (match[k] >= 0 && in_place[k] ? match[k] : -1) : na;
		for (; upto >= 0 && next_a < upto; next_a++)
			if (!paired[next_a] &&
			    !row_add(a, out, &cap, pa[next_a].pid,
			             consecutive && merged_into(pb, nb, pa[next_a].pid) ? COMPARE_MERGED
			                                                                : COMPARE_REMOVED,
			             &pa[next_a], NULL))
				return oom(e);
		if (k == nb)
			break;
		if (match[k] < 0) {
			enum paragraph_relation rel = PARAGRAPH_NEW;
			if (consecutive && pb[k].relation)
				paragraph_relation_parse(pb[k].relation, &rel);
			if (!row_add(a, out, &cap, pb[k].pid, rel == PARAGRAPH_SPLIT ? COMPARE_SPLIT : COMPARE_ADDED,
			             NULL, &pb[k]))
				return oom(e);
			continue;
		}
		const struct paragraph *old = &pa[match[k]];
		bool changed = strcmp(old->text, pb[k].text) != 0 || strcmp(old->source, pb[k].source) != 0;
		enum compare_status s = !in_place[k] ? COMPARE_MOVED : changed ? COMPARE_EDITED : COMPARE_UNCHANGED;
		struct compare_row *row = row_add(a, out, &cap, pb[k].pid, s, old, &pb[k]);
		if (!row)
			return oom(e);
		row->changed = changed;
		if (changed && diff_words(a, old->text, pb[k].text, &row->ops, &row->nops) != 0)
			return oom(e);
		if (in_place[k])
			next_a = match[k] + 1;
	}
	return 0;
}
