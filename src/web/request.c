/* request — see request.h. */
#include "web/request.h"

#include "util/error.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

const char *request_query(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *request_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void reply_html(struct request *r, int status)
{
	r->status = status;
	r->out_type = "text/html; charset=utf-8";
}

void reply_json(struct request *r, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	buf_reset(&r->out);
	if (text) {
		buf_puts(&r->out, text);
		buf_putc(&r->out, '\n');
		free(text);
	}
	r->status = text ? status : 500;
	r->out_type = "application/json";
}

void reply_redirect(struct request *r, const char *location)
{
	r->status = 303;
	r->location = location;
	r->out_type = "text/plain; charset=utf-8";
	buf_reset(&r->out);
	buf_puts(&r->out, "See Other\n");
}

int http_status_of(const struct error *e)
{
	static const struct {
		const char *code;
		int status;
	} map[] = {
		{ERROR_INVALID, 422},     {ERROR_NOT_FOUND, 404},	  {ERROR_CALL_CLOSED, 409},
		{ERROR_CALL_NOT_OPEN, 409}, {ERROR_CONFLICT, 409},	  {ERROR_UNAVAILABLE, 503},
		{ERROR_THROTTLED, 429},
	};
	for (size_t i = 0; e->code && i < sizeof map / sizeof *map; i++)
		if (strcmp(e->code, map[i].code) == 0)
			return map[i].status;
	return 500;
}

void reply_json_problem(struct request *r, int status, const char *code, const char *message)
{
	reply_json(r, status, json_pack("{s:{s:s,s:s,s:{}}}", "error", "code", code, "message", message, "fields"));
}

void reply_json_error(struct request *r, const struct error *e)
{
	int status = http_status_of(e);
	/* Internal details stay in the log, not in the answer. */
	const char *message = status == 500 ? "Something went wrong on our side; please try again later."
					    : e->message;
	json_t *fields = json_object();
	for (int i = 0; i < e->nfields; i++)
		json_object_set_new(fields, e->fields[i].name, json_string(e->fields[i].message));
	reply_json(r, status,
		   json_pack("{s:{s:s,s:s,s:o}}", "error", "code", e->code ? e->code : ERROR_INTERNAL, "message",
			     message, "fields", fields));
}

bool parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return false;
	*out = v;
	return true;
}
