/*
 * api_export — the open data (core/export.h) as files, and its dictionary:
 *   /api/v1/calls/{id}/{dataset}.{csv,jsonl,xlsx}        contributions, comments, attachments, deadline
 *                                                        changes of a call
 *   /api/v1/processes/{slug}/{dataset}.{csv,jsonl,xlsx}  the same for every call of a process, and the
 *                                                        versions, paragraphs, schedule, its history,
 *                                                        letters, calls, meetings
 *   /data                                                every file, every column, its type and meaning
 *   /api/v1/dictionary                                   the same as JSON, for programs
 *
 * No cap, constant memory, one snapshot. The rows are written as the query
 * hands them over into a temporary file (render/table_file.h), which the
 * response then sends from its descriptor. Why a file and not a response
 * that reads the database as the client reads (a libmicrohttpd callback):
 *  - the snapshot: the server runs each GET inside one read transaction
 *    (web/server.c) on the thread that runs the handler, and a connection is
 *    that thread's alone (store/db.h). A callback response is called later,
 *    as the socket drains, on the daemon's thread: it could not continue that
 *    transaction, and holding a read transaction open for as long as a slow
 *    client takes to download would keep SQLite from checkpointing the WAL
 *    past it (the WAL would grow for minutes, or for ever with a stalled
 *    reader). The file is complete, and the transaction ended, in the time
 *    the database takes to read the rows;
 *  - the file has a length (Content-Length) and a failure half-way is an
 *    error page, not a truncated download that looks complete.
 * The cost is the disk space of one copy of the export while it is sent
 * (the file is already unlinked) and a first byte only once the file is
 * complete. The exports are marked slow in the route table so that they run
 * on a worker thread and never hold up the thread that serves other pages.
 */
#include "core/call.h"
#include "core/export.h"
#include "core/limits.h"
#include "core/process.h"
#include "render/html.h"
#include "render/table_file.h"
#include "util/i18n.h"
#include "web/page.h"
#include "web/routes.h"

#include <stdatomic.h>
#include <string.h>

/* Exports being written now, at most LIMIT_EXPORTS_AT_ONCE: the worker threads they run on also take the
 * contributions, which a burst of million-row exports must not hold up for long. */
static atomic_int exporting;

/* The format named by the file's extension; false for another. */
static bool format_parse(const char *s, enum table_file_format *f)
{
	if (!s)
		return false;
	if (!strcmp(s, "csv"))
		*f = TABLE_FILE_CSV;
	else if (!strcmp(s, "jsonl"))
		*f = TABLE_FILE_JSONL;
	else if (!strcmp(s, "xlsx"))
		*f = TABLE_FILE_XLSX;
	else
		return false;
	return true;
}

static const char *format_type(enum table_file_format f)
{
	switch (f) {
	case TABLE_FILE_CSV: return "text/csv; charset=utf-8";
	case TABLE_FILE_JSONL: return "application/jsonl; charset=utf-8";
	case TABLE_FILE_XLSX: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	}
	return "application/octet-stream";
}

static const char *format_ext(enum table_file_format f)
{
	return f == TABLE_FILE_CSV ? "csv" : f == TABLE_FILE_JSONL ? "jsonl" : "xlsx";
}

/* The dataset named by the last segment of the path ("contributions" in .../contributions.csv). */
static const struct export_dataset *dataset_of(struct request *r)
{
	const char *last = strrchr(r->path, '/');
	const char *dot = last ? strrchr(last, '.') : NULL;
	if (!last || !dot)
		return NULL;
	return export_dataset_find(arena_strndup(&r->arena, last + 1, (size_t)(dot - last - 1)));
}

struct file_ctx {
	struct table_file *t;
	int ncolumns;
	struct error *e;
};

static int file_row(const char *const *cells, void *ctx)
{
	struct file_ctx *f = ctx;
	return table_file_row(f->t, cells, f->ncolumns, f->e) == 0 ? 0 : -1;
}

/* Writes dataset d of the call or process id into a file and makes it the response, named name.ext. */
static void export_reply(struct request *r, const struct export_dataset *d, enum export_scope scope, int64_t id,
                         enum table_file_format format, const char *name)
{
	if (atomic_fetch_add(&exporting, 1) >= LIMIT_EXPORTS_AT_ONCE) {
		atomic_fetch_sub(&exporting, 1);
		r->retry_after = "10";
		reply_json_problem(r, 503, "busy", _("Other exports are being written: try again in a few seconds."));
		return;
	}
	struct error e;
	error_clear(&e);
	struct table_file *t = table_file_open(format, NULL, d->name, &e);
	const char *header[TABLE_FILE_MAX_COLUMNS];
	for (int i = 0; t && i < d->ncolumns && i < TABLE_FILE_MAX_COLUMNS; i++) {
		header[i] = d->columns[i].name;
		if (d->columns[i].type == EXPORT_INTEGER)
			table_file_numeric(t, i);
	}
	struct file_ctx f = {.t = t, .ncolumns = d->ncolumns, .e = &e};
	int64_t size = 0;
	int fd = -1;
	const bool written = t && table_file_row(t, header, d->ncolumns, &e) == 0 &&
	                     export_each(r->db, d, scope, id, file_row, &f, &e) == 0;
	if (written)
		fd = table_file_finish(t, &size, &e); /* frees t, even when it fails */
	else
		table_file_abort(t);
	atomic_fetch_sub(&exporting, 1); /* written: what is left is sending it, off the worker */
	if (fd < 0) {
		if (!e.code)
			error_set(&e, ERROR_INTERNAL, "the export could not be written");
		reply_json_error(r, &e);
		return;
	}
	r->out_file = true;
	r->out_fd = fd;
	r->out_fd_size = size;
	r->out_type = format_type(format);
	/* The name is made of a slug or an id and a dataset's name: nothing to quote or encode. */
	r->content_disposition =
	    arena_printf(&r->arena, "attachment; filename=\"%s-%s.%s\"", name, d->name, format_ext(format));
	r->status = 200;
}

/* The dataset and format of the path, or a 404 answered. */
static bool export_target(struct request *r, enum export_scope scope, const struct export_dataset **d,
                          enum table_file_format *f)
{
	*d = dataset_of(r);
	if (!*d || (scope == EXPORT_CALL && !(*d)->per_call) || !format_parse(r->params[1], f)) {
		reply_json_problem(r, 404, "not_found",
		                   _("There is no such file: see /data for the files, as .csv, .jsonl or .xlsx."));
		return false;
	}
	return true;
}

void api_export_call(struct request *r)
{
	const struct export_dataset *d;
	enum table_file_format f;
	if (!export_target(r, EXPORT_CALL, &d, &f))
		return;
	struct error e;
	error_clear(&e);
	int64_t id;
	struct call c;
	if (!parse_id(r->params[0], &id)) {
		reply_json_problem(r, 404, "not_found", _("There is no such call for contributions."));
		return;
	}
	if (call_find(r->db, &r->arena, id, &c, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	export_reply(r, d, EXPORT_CALL, c.id, f, arena_printf(&r->arena, "call-%lld", (long long)c.id));
}

void api_export_process(struct request *r)
{
	const struct export_dataset *d;
	enum table_file_format f;
	if (!export_target(r, EXPORT_PROCESS, &d, &f))
		return;
	struct error e;
	error_clear(&e);
	struct process p;
	if (process_find(r->db, &r->arena, r->params[0], &p, &e) != 0) {
		reply_json_error(r, &e);
		return;
	}
	export_reply(r, d, EXPORT_PROCESS, p.id, f, p.slug);
}

void page_data(struct request *r)
{
	page_begin(r, _("Open data"));
	html_printf(&r->out, "<h1>%s</h1>\n", _("Open data"));
	html_printf(
	    &r->out, "<p>%s</p>\n",
	    _("Everything published here can be taken away whole, without an account and without a limit on the "
	      "number of rows: every published contribution with its comments and, once they are published, the "
	      "secretariat's answers; the description of every file sent (its SHA-256 to check a copy); every "
	      "published version with its text and paragraphs; the schedule and how it moved; the calls and how their "
	      "deadlines moved; the meetings; the circular letters."));
	html_printf(
	    &r->out, "<p>%s</p>\n",
	    _("Each file below comes in three formats with the same columns in the same order: CSV (RFC 4180, "
	      "UTF-8 with a byte order mark; a cell that begins with =, +, -, @ or a tab gets an apostrophe first, so "
	      "that a spreadsheet does not run it as a formula), JSON Lines (one JSON object per line, the columns as "
	      "keys, an integer as a number, an empty value as null; no header line) and XLSX (the first row names "
	      "the columns; past 1,048,576 rows the rows go on on a next sheet). Each file is read from one snapshot "
	      "of the database: what it holds is what was published at one moment."));
	html_printf(
	    &r->out, "<p>%s</p>\n",
	    _("Never in them: private contributions, contributions awaiting review, hidden or taken as spam, the "
	      "name and organization of an anonymous contribution, anyone's e-mail address, the answers to a "
	      "call's comments before the secretariat publishes them, files not (yet) found clean by the virus "
	      "scanner, drafts of versions."));
	html_printf(&r->out, "<p>");
	html_tr(&r->out,
	        "Addresses: <code>/api/v1/processes/{slug}/{file}.{csv|jsonl|xlsx}</code> for a whole process, and "
	        "<code>/api/v1/calls/{id}/{file}.{csv|jsonl|xlsx}</code> for one call (the files marked "
	        "\u201cper call\u201d). The process's slug is in its address (/processes/{slug}); a process with no "
	        "data gives a file with the header only.");
	html_printf(&r->out, "</p>\n<p>");
	html_tr(&r->out,
	        "Types: <em>text</em> (UTF-8), <em>integer</em>, <em>instant</em> (RFC 3339 in UTC, e.g. "
	        "2021-02-01T09:30:00Z), <em>date</em> (YYYY-MM-DD, in the process's time zone), <em>url</em> (an "
	        "absolute address). An empty cell (null in JSON Lines) means no value.");
	/* TRANSLATORS: the label of the list of the open data's files (a navigation's name). */
	html_printf(&r->out, "</p>\n<nav aria-label=\"%s\"><ul>\n", _("Files"));
	for (int i = 0; i < EXPORT_NDATASETS; i++)
		html_printf(&r->out, "<li><a href=\"#%s\">%s</a></li>\n", EXPORT_DATASETS[i].name,
		            EXPORT_DATASETS[i].name);
	html_printf(&r->out, "</ul></nav>\n");
	for (int i = 0; i < EXPORT_NDATASETS; i++) {
		const struct export_dataset *d = &EXPORT_DATASETS[i];
		html_printf(&r->out, "<section aria-labelledby=\"%s\" class=\"dataset\"><h2 id=\"%s\">%s</h2>\n<p>%s ",
		            d->name, d->name, d->name, _(d->meaning));
		if (d->per_call)
			html_tr(&r->out,
			        "One row each. For a process: <code>/api/v1/processes/{slug}/%s.csv</code> (.jsonl, "
			        ".xlsx); "
			        "per call: <code>/api/v1/calls/{id}/%s.csv</code>.",
			        d->name, d->name);
		else
			html_tr(&r->out,
			        "One row each. For a process: <code>/api/v1/processes/{slug}/%s.csv</code> (.jsonl, "
			        ".xlsx).",
			        d->name);
		html_printf(
		    &r->out,
		    "</p>\n<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"%s-columns\" tabindex=\"0\">"
		    "<table class=\"dictionary\">\n<caption id=\"%s-columns\">",
		    d->name, d->name);
		html_tr(&r->out, "The columns of %s", d->name);
		/* TRANSLATORS: the open data dictionary's table headers: a file's column, its type, what it means. */
		html_printf(&r->out,
		            "</caption>\n<thead><tr><th scope=\"col\">%s</th>"
		            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
		            _("Column"), _("Type"), _("Meaning"));
		for (int c = 0; c < d->ncolumns; c++)
			html_printf(&r->out, "<tr><th scope=\"row\"><code>%s</code></th><td translate=\"no\">%s</td><td>%s</td></tr>\n",
			            d->columns[c].name, export_type_name(d->columns[c].type), _(d->columns[c].meaning));
		html_printf(&r->out, "</tbody></table></div>\n</section>\n");
	}
	page_end(r, 200);
}

void api_dictionary(struct request *r)
{
	json_t *files = json_array();
	for (int i = 0; i < EXPORT_NDATASETS; i++) {
		const struct export_dataset *d = &EXPORT_DATASETS[i];
		json_t *columns = json_array();
		for (int c = 0; c < d->ncolumns; c++)
			json_array_append_new(columns, json_pack("{s:s,s:s,s:s}", "name", d->columns[c].name, "type",
			                                         export_type_name(d->columns[c].type), "meaning",
			                                         _(d->columns[c].meaning)));
		json_t *paths = json_array();
		json_array_append_new(paths, json_sprintf("/api/v1/processes/{slug}/%s.{csv,jsonl,xlsx}", d->name));
		if (d->per_call)
			json_array_append_new(paths, json_sprintf("/api/v1/calls/{id}/%s.{csv,jsonl,xlsx}", d->name));
		json_array_append_new(files,
		                      json_pack("{s:s,s:s,s:b,s:o,s:o}", "name", d->name, "meaning", _(d->meaning),
		                                "per_call", d->per_call, "paths", paths, "columns", columns));
	}
	reply_json(r, 200, json_pack("{s:o,s:s}", "files", files, "page", "/data"));
}
