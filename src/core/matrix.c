/*
 * matrix — the resolution matrix of a call, read with one query and handed
 * on row by row (core/matrix.h).
 */
#include "core/matrix.h"

#include <string.h>

enum matrix_sort matrix_sort_parse(const char *s)
{
	return s && !strcmp(s, "contributor") ? MATRIX_BY_CONTRIBUTOR : MATRIX_BY_PARAGRAPH;
}

const char *matrix_decision_label(const char *decision)
{
	static const struct {
		const char *name, *label;
	} labels[] = {{"accepted", "Accepted"},
	              {"accepted_in_part", "Accepted in part"},
	              {"not_accepted", "Not accepted"},
	              {"noted", "Noted"}};
	for (size_t i = 0; decision && i < sizeof labels / sizeof labels[0]; i++)
		if (!strcmp(decision, labels[i].name))
			return labels[i].label;
	return "";
}

/* ?2 is 1 for the secretariat. The public's contributor is "Anonymous" for an anonymous contribution, and
 * the disposition is joined for the public only once the call's dispositions are published. */
#define MATRIX_SELECT                                                                                                  \
	"SELECT cm.id, k.tracking, "                                                                                   \
	"CASE WHEN ?2 = 0 AND k.publication = 'anonymous' THEN 'Anonymous' ELSE k.name END AS shown, "                 \
	"CASE WHEN ?2 = 0 AND k.publication = 'anonymous' THEN '' ELSE k.organization END, "                           \
	"cat.name, k.country, p.number, cm.clause, cm.type, cm.comment, cm.proposed_change, "                          \
	"d.decision, d.reason, np.number, nv.label "                                                                   \
	"FROM comment cm JOIN contribution k ON k.id = cm.contribution_id "                                            \
	"JOIN call ca ON ca.id = k.call_id JOIN category cat ON cat.id = k.category_id "                               \
	"LEFT JOIN paragraph p ON p.version_id = cm.version_id AND p.pid = cm.pid "                                    \
	"LEFT JOIN disposition d ON d.comment_id = cm.id AND (?2 = 1 OR ca.dispositions_published_at IS NOT NULL) "    \
	"LEFT JOIN paragraph np ON np.version_id = d.version_id AND np.pid = d.pid "                                   \
	"LEFT JOIN version nv ON nv.id = d.version_id "                                                                \
	"WHERE k.call_id = ?1 AND (?2 = 1 OR (k.state = 'published' AND k.publication <> 'private')) "

/* General comments (no paragraph) come last, after the paragraphs in document order. */
static const char sql_by_paragraph[] = MATRIX_SELECT
    "ORDER BY CASE WHEN p.number IS NULL THEN 1 ELSE 0 END, p.number, k.id, cm.position LIMIT ?3 OFFSET ?4";
static const char sql_by_contributor[] = MATRIX_SELECT "ORDER BY shown, k.id, cm.position LIMIT ?3 OFFSET ?4";

static const char *text_or_empty(struct db_stmt *st, int i)
{
	const char *s = db_col_text(st, i);
	return s ? s : "";
}

int matrix_each(struct db *db, int64_t call_id, enum matrix_audience audience, enum matrix_sort sort, int64_t offset,
                int64_t limit, matrix_row_fn fn, void *ctx, struct error *e)
{
	struct db_stmt *st = db_stmt(db, sort == MATRIX_BY_CONTRIBUTOR ? sql_by_contributor : sql_by_paragraph, e);
	if (!st)
		return -1;
	db_bind_int(st, 1, call_id);
	db_bind_int(st, 2, audience == MATRIX_SECRETARIAT ? 1 : 0);
	db_bind_int(st, 3, limit < 0 ? INT64_MAX : limit);
	db_bind_int(st, 4, offset < 0 ? 0 : offset);
	int ret = 0;
	enum db_step step;
	while ((step = db_step(st, e)) == DB_ROW) {
		struct matrix_row row = {
		    .comment_id = db_col_int(st, 0),
		    .tracking = text_or_empty(st, 1),
		    .contributor = text_or_empty(st, 2),
		    .organization = text_or_empty(st, 3),
		    .category = text_or_empty(st, 4),
		    .country = text_or_empty(st, 5),
		    .paragraph = db_col_null(st, 6) ? 0 : (int)db_col_int(st, 6),
		    .clause = text_or_empty(st, 7),
		    .type = text_or_empty(st, 8),
		    .comment = text_or_empty(st, 9),
		    .proposed_change = text_or_empty(st, 10),
		    .decision = text_or_empty(st, 11),
		    .reason = text_or_empty(st, 12),
		    .new_paragraph = db_col_null(st, 13) ? 0 : (int)db_col_int(st, 13),
		    .new_version = text_or_empty(st, 14),
		};
		if ((ret = fn(&row, ctx)) != 0)
			break;
	}
	db_reset(st);
	if (step == DB_FAIL)
		return -1;
	return ret;
}
