/* request — see request.h. */
#include "web/request.h"

#include "core/account.h"
#include "core/field.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { REQUEST_MAX_PROXIES = 32 };

/* An address as bytes: 4 for IPv4, 16 for IPv6 (an IPv4-mapped IPv6 address counts as IPv4). */
struct address {
	int len;
	unsigned char bytes[16];
};

/* Set once before the daemon starts (request_trust_proxies), read-only afterwards. */
static struct address trusted[REQUEST_MAX_PROXIES];
static int ntrusted;

static bool address_parse(const char *text, struct address *out)
{
	if (inet_pton(AF_INET, text, out->bytes) == 1) {
		out->len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, text, out->bytes) != 1)
		return false;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!memcmp(out->bytes, mapped, 12)) {
		memmove(out->bytes, out->bytes + 12, 4);
		out->len = 4;
	} else {
		out->len = 16;
	}
	return true;
}

static bool address_trusted(const struct address *a)
{
	for (int i = 0; i < ntrusted; i++)
		if (trusted[i].len == a->len && !memcmp(trusted[i].bytes, a->bytes, (size_t)a->len))
			return true;
	return false;
}

static const char *address_text(struct arena *arena, const struct address *a)
{
	char *out = arena_alloc(arena, INET6_ADDRSTRLEN);
	if (!out || !inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->bytes, out, INET6_ADDRSTRLEN))
		return "unknown";
	return out;
}

bool request_trust_proxies(const char *const *addrs, int n, const char **bad)
{
	ntrusted = 0;
	for (int i = 0; i < n; i++) {
		const char *p = addrs[i];
		while (*p) {
			size_t len = strcspn(p, ",");
			char one[INET6_ADDRSTRLEN];
			size_t start = 0;
			while (start < len && p[start] == ' ')
				start++;
			size_t end = len;
			while (end > start && p[end - 1] == ' ')
				end--;
			if (end - start >= sizeof one || ntrusted == REQUEST_MAX_PROXIES) {
				*bad = addrs[i];
				return false;
			}
			memcpy(one, p + start, end - start);
			one[end - start] = '\0';
			if (!address_parse(one, &trusted[ntrusted])) {
				*bad = addrs[i];
				return false;
			}
			ntrusted++;
			p += len;
			if (*p == ',')
				p++;
		}
	}
	return true;
}

struct forwarded {
	struct arena *arena;
	char *list; /* every X-Forwarded-For header's value, in order, joined by commas */
};

static enum MHD_Result collect_forwarded(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct forwarded *f = cls;
	if (value && !strcasecmp(key, "X-Forwarded-For"))
		f->list = f->list ? arena_printf(f->arena, "%s,%s", f->list, value) : arena_strdup(f->arena, value);
	return MHD_YES;
}

const char *request_client_address(struct request *r)
{
	if (r->client_address)
		return r->client_address;
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct address peer = {0};
	const struct sockaddr *sa = info ? info->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET) {
		memcpy(peer.bytes, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		peer.len = 4;
	} else if (sa && sa->sa_family == AF_INET6) {
		char text[INET6_ADDRSTRLEN];
		if (inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text, sizeof text))
			address_parse(text, &peer);
	}
	if (!peer.len)
		return r->client_address = "unknown";
	r->client_address = address_text(&r->arena, &peer);
	if (!address_trusted(&peer))
		return r->client_address; /* anyone may send X-Forwarded-For: only our proxy is believed */
	struct forwarded f = {.arena = &r->arena};
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_forwarded, &f);
	/* Each proxy appends the address it got the request from: walk from the right, past our own proxies.
	 * The first entry that is not one is the client; anything left of it is the client's word. */
	for (char *end = f.list ? f.list + strlen(f.list) : NULL; end && end > f.list;) {
		char *start = end;
		while (start > f.list && start[-1] != ',')
			start--;
		char *a = start, *b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		*b = '\0';
		struct address hop;
		if (!address_parse(a, &hop))
			break; /* not an address: stop believing the list here */
		if (!address_trusted(&hop))
			return r->client_address = address_text(&r->arena, &hop);
		end = start > f.list ? start - 1 : f.list;
	}
	return r->client_address;
}

const struct i18n_language *request_language(struct request *r)
{
	if (r->lang)
		return r->lang;
	const char *chosen = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, REQUEST_LANGUAGE_COOKIE);
	r->lang = i18n_find(chosen);
	r->lang_chosen = r->lang != NULL;
	if (!r->lang)
		r->lang = i18n_accept(request_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	r->lang_asked = r->lang != NULL;
	if (!r->lang)
		r->lang = i18n_find(I18N_DEFAULT);
	return r->lang;
}

void request_language_account(struct request *r)
{
	request_language(r);
	const struct i18n_language *l = r->account && r->account->language ? i18n_find(r->account->language) : NULL;
	if (l && !r->lang_chosen) {
		r->lang = l;
		r->lang_asked = true;
	}
	i18n_use(r->lang->code);
}

void request_language_process(struct request *r, const char *languages)
{
	request_language(r);
	const struct i18n_language *l = r->lang_asked ? NULL : i18n_first_of(languages);
	if (l)
		r->lang = l;
	i18n_use(r->lang->code);
}

const char *request_failure_message(struct request *r, int status)
{
	return status == 503 ? arena_printf(&r->arena,
					    _("The service is busy right now; the request id is %s; please try again "
					      "in a moment."),
					    r->id)
			     : arena_printf(&r->arena,
					    _("Something went wrong on our side; the request id is %s; please try "
					      "again."),
					    r->id);
}

const char *request_error_message(struct request *r, const struct error *e)
{
	int status = http_status_of(e);
	if (status < 500)
		return _(e->message); /* the core's sentences marked N_() are in the catalogues */
	/* The detail (a database's words, a path) is for the operator, under the id the person can quote. */
	const char *detail = e->message;
	char *clean = arena_strdup(&r->arena, detail);
	for (char *p = clean; p && *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '\'';
	log_event("http.failure", "rid=%s status=%d code=%s msg=\"%s\"", r->id, status, e->code ? e->code : "internal",
		  clean ? clean : "?");
	if (e->for_people)
		return _(e->message);
	const char *msg = request_failure_message(r, status);
	return msg ? msg : _("Something went wrong on our side; please try again.");
}

const char *request_query(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int request_query_count(struct request *r)
{
	return MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, NULL, NULL);
}

const char *request_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int reply_body_bytes(struct request *r, const void *data, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, (const char *)data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return -1;
	}
	r->out_file = true;
	r->out_fd = fd;
	r->out_fd_size = (int64_t)n;
	return 0;
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
		{ERROR_UNAUTHORIZED, 401}, {ERROR_THROTTLED, 429},
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
	const char *message = request_error_message(r, e);
	json_t *fields = json_object();
	for (int i = 0; i < e->nfields; i++)
		json_object_set_new(fields, e->fields[i].name, json_string(e->fields[i].message));
	reply_json(r, status,
		   json_pack("{s:{s:s,s:s,s:o}}", "error", "code", e->code ? e->code : ERROR_INTERNAL, "message",
			     message, "fields", fields));
}

bool parse_id(const char *s, int64_t *out)
{
	return field_parse_id(s, out);
}
