/*
 * api_compare — two versions of a document compared, as JSON
 * (GET /api/v1/versions/{a}/compare/{b}): the same rows as the page
 * (core/compare.h), each with its pid, status, numbers in a and b, and for a
 * changed paragraph the word operations; the text itself for the others. A
 * long comparison comes in parts of LIMIT_PAGE_BYTES (?offset=, and next).
 * ?text=fr compares both versions' texts in that language when both have one
 * (core/version_text.h), else their own texts; "language" says which.
 */
#include "core/account.h"
#include "core/compare.h"
#include "core/language.h"
#include "core/limits.h"
#include "core/process.h"
#include "util/i18n.h"
#include "web/api.h"
#include "web/routes.h"

#include <string.h>

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
		reply_json_problem(r, 404, ERROR_NOT_FOUND, _("There is no such version."));
		return;
	}
	struct error e;
	error_clear(&e);
	char asked[LANGUAGE_TAG_LEN];
	language_tag_normalize(request_query(r, "text"), asked);
	struct comparison c;
	struct process p;
	if (compare_versions_in(r->db, &r->arena, a_id, b_id, r->account && r->account->role == ACCOUNT_SECRETARIAT,
	                        asked, &c, &e) != 0 ||
	    process_find_id_bare(r->db, &r->arena, c.doc.process_id, &p, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	/* the texts' language: the one asked for if both have it, else their own (the process's first) */
	const char *language = c.language_text ? asked
	                                       : arena_strndup(&r->arena, p.languages ? p.languages : "en",
	                                                       p.languages ? strcspn(p.languages, ",") : 2);
	const char *offset_arg = request_query(r, "offset");
	int64_t offset = 0;
	if (offset_arg && strcmp(offset_arg, "0") != 0 && (!parse_id(offset_arg, &offset) || offset > c.nrows)) {
		error_field(&e, "offset", "%s", _("Use a number of paragraphs to skip, from 0 to their number."));
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
	/* Rows until the answer holds LIMIT_PAGE_BYTES of them (at least one): a comparison of two long versions
	 * comes in parts, next saying where the rest starts, never an answer cut off at LIMIT_RESPONSE. */
	size_t bytes = 0;
	int i = (int)offset;
	for (; rows && i < c.nrows; i++) {
		json_t *row = row_json(&c.rows[i]);
		size_t size = row ? json_dumpb(row, NULL, 0, JSON_COMPACT) : 0;
		if (i > offset && bytes + size > LIMIT_PAGE_BYTES) {
			json_decref(row);
			break;
		}
		bytes += size;
		if (json_array_append_new(rows, row) != 0) {
			json_decref(rows);
			rows = NULL;
		}
	}
	json_t *next = i < c.nrows ? json_string(arena_printf(&r->arena, "/api/v1/versions/%lld/compare/%lld?offset=%d%s%s",
	                                                      (long long)a_id, (long long)b_id, i, *asked ? "&text=" : "",
	                                                      asked))
	                           : json_null();
	json_t *body = summary && rows && next
	                   ? json_pack("{s:{s:I, s:s}, s:o, s:o, s:o, s:o, s:I, s:I, s:o}", "document", "id",
	                               (json_int_t)c.doc.id, "title", c.doc.title, "a", version_json(&c.a), "b",
	                               version_json(&c.b), "summary", summary, "paragraphs", rows, "offset",
	                               (json_int_t)offset, "total", (json_int_t)c.nrows, "next", next)
	                   : NULL;
	if (!body) {
		if (!summary || !rows || !next) {
			json_decref(summary);
			json_decref(rows);
			json_decref(next);
		}
		reply_json_problem(r, 503, ERROR_UNAVAILABLE, request_failure_message(r, 503));
		return;
	}
	json_object_set_new(body, "language", json_string(language ? language : ""));
	reply_json(r, 200, body);
}
