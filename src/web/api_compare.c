/*
 * api_compare — two versions of a document compared, as JSON
 * (GET /api/v1/versions/{a}/compare/{b}): the same rows as the page
 * (core/compare.h), each with its pid, status, numbers in a and b, and for a
 * changed paragraph the word operations; the text itself for the others.
 */
#include "core/compare.h"
#include "web/api.h"
#include "web/routes.h"

static json_t *version_json(const struct version *v)
{
	return json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)v->id, "label", v->label, "date", v->date,
	                 "paragraphs", v->paragraphs);
}

static json_t *row_json(const struct compare_row *row)
{
	json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:b}", "pid", row->pid, "status", compare_status_name(row->status),
	                      "number_a", row->a ? json_integer(row->a->number) : json_null(), "number_b",
	                      row->b ? json_integer(row->b->number) : json_null(), "changed", row->changed);
	if (!j)
		return NULL;
	if (row->changed) {
		json_t *ops = json_array();
		for (int i = 0; ops && i < row->nops; i++)
			if (json_array_append_new(ops, json_pack("{s:s, s:s}", "op", diff_kind_name(row->ops[i].kind),
			                                         "text", row->ops[i].text)) != 0) {
				json_decref(ops);
				ops = NULL;
			}
		if (!ops || json_object_set_new(j, "ops", ops) != 0) {
			json_decref(j);
			return NULL;
		}
	} else if (json_object_set_new(j, "text", json_string((row->b ? row->b : row->a)->text)) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

void api_compare(struct request *r)
{
	int64_t a_id, b_id;
	if (!parse_id(r->params[0], &a_id) || !parse_id(r->params[1], &b_id)) {
		reply_json_problem(r, 404, ERROR_NOT_FOUND, "There is no such version.");
		return;
	}
	struct error e;
	error_clear(&e);
	struct comparison c;
	if (compare_versions(r->db, &r->arena, a_id, b_id, &c, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	json_t *summary = json_object(), *rows = json_array();
	for (int s = 0; summary && s < COMPARE_NSTATUS; s++)
		if (json_object_set_new(summary, compare_status_name((enum compare_status)s),
		                        json_integer(c.count[s])) != 0) {
			json_decref(summary);
			summary = NULL;
		}
	for (int i = 0; rows && i < c.nrows; i++)
		if (json_array_append_new(rows, row_json(&c.rows[i])) != 0) {
			json_decref(rows);
			rows = NULL;
		}
	json_t *body = summary && rows ? json_pack("{s:{s:I, s:s}, s:o, s:o, s:o, s:o}", "document", "id",
	                                           (json_int_t)c.doc.id, "title", c.doc.title, "a", version_json(&c.a),
	                                           "b", version_json(&c.b), "summary", summary, "paragraphs", rows)
	                               : NULL;
	if (!body) {
		if (!summary || !rows) {
			json_decref(summary);
			json_decref(rows);
		}
		reply_json_problem(r, 503, ERROR_UNAVAILABLE, request_failure_message(r, 503));
		return;
	}
	reply_json(r, 200, body);
}
