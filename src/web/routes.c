/* routes — see routes.h. The whole of Consulta's URL space on one screen. */
#include "web/routes.h"

#include <string.h>

const struct route ROUTES[] = {
	/* pages */
	{"GET", "/", page_home, ROLE_PUBLIC, false},
	{"GET", "/processes/{slug}", page_process, ROLE_PUBLIC, false},
	{"GET", "/versions/{id}", page_version, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}", page_call, ROLE_PUBLIC, false},
	{"GET", "/calls/{id}/contribute", page_contribute_form, ROLE_PUBLIC, false},
	{"POST", "/calls/{id}/contribute", page_contribute_submit, ROLE_PUBLIC, true},
	{"GET", "/calls/{id}/contributions", page_call_contributions, ROLE_PUBLIC, false},
	{"GET", "/receipts/{tracking}", page_receipt, ROLE_PUBLIC, false},
	{"GET", "/contributions/{tracking}", page_contribution, ROLE_PUBLIC, false},
	{"GET", "/static/{name}", page_static, ROLE_PUBLIC, false},
	/* accounts */
	{"GET", "/login", page_login_form, ROLE_PUBLIC, false},
	{"POST", "/login", page_login, ROLE_PUBLIC, true},
	{"POST", "/logout", page_logout, ROLE_PUBLIC, true},
	{"GET", "/account/register", page_register_form, ROLE_PUBLIC, false},
	{"POST", "/account/register", page_register, ROLE_PUBLIC, true},
	{"GET", "/account/confirm", page_confirm, ROLE_PUBLIC, false},
	{"GET", "/account/reset-request", page_reset_request_form, ROLE_PUBLIC, false},
	{"POST", "/account/reset-request", page_reset_request, ROLE_PUBLIC, true},
	{"GET", "/account/reset", page_reset_form, ROLE_PUBLIC, false},
	{"POST", "/account/reset", page_reset, ROLE_PUBLIC, true},
	{"GET", "/account", page_my_contributions, ROLE_STAKEHOLDER, false},
	/* back office */
	{"GET", "/office/audit", page_office_audit, ROLE_SECRETARIAT, false},
	/* JSON API */
	{"GET", "/healthz", api_health, ROLE_PUBLIC, false},
	{"GET", "/api/v1/processes", api_processes, ROLE_PUBLIC, false},
	{"GET", "/api/v1/processes/{slug}", api_process, ROLE_PUBLIC, false},
	{"GET", "/api/v1/calls/{id}", api_call, ROLE_PUBLIC, false},
	{"POST", "/api/v1/calls/{id}/contributions", api_contribution_create, ROLE_PUBLIC, true},
	{"GET", "/api/v1/calls/{id}/contributions", api_call_contributions, ROLE_PUBLIC, false},
	{"GET", "/api/v1/contributions/{tracking}", api_contribution, ROLE_PUBLIC, false},
	/* JSON API: the back office (api_office.c) */
	{"POST", "/api/v1/processes", api_process_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/processes/{slug}", api_process_update, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/documents", api_document_create, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/documents/{doc}/versions", api_version_create, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/milestones", api_milestone_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/milestones/{id}", api_milestone_update, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/milestones/{id}/move", api_milestone_move, ROLE_SECRETARIAT, true},
	{"POST", "/api/v1/processes/{slug}/calls", api_call_create, ROLE_SECRETARIAT, true},
	{"PATCH", "/api/v1/calls/{id}", api_call_update, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/calls/{id}/moderation", api_call_moderation, ROLE_SECRETARIAT, false},
	{"POST", "/api/v1/contributions/{tracking}/moderation", api_contribution_moderate, ROLE_SECRETARIAT, true},
	{"GET", "/api/v1/audit", api_audit, ROLE_SECRETARIAT, false},
};
const int NROUTES = (int)(sizeof ROUTES / sizeof *ROUTES);

/* Matches path against pattern, capturing {segments} (not decoded: ids and slugs need no decoding). */
static bool pattern_match(struct request *r, const char *pattern, const char *path)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || n >= ROUTE_MAX_PARAMS)
				return false;
			r->params[n++] = arena_strndup(&r->arena, s, len);
			p = close + 1;
			s += len;
		} else if (*p == *s) {
			p++;
			s++;
		} else {
			return false;
		}
	}
	if (*p || *s)
		return false;
	r->nparams = n;
	return true;
}

const struct route *route_match(struct request *r, const char *method, const char *path, bool *path_known)
{
	*path_known = false;
	const struct route *found = NULL;
	for (int i = 0; i < NROUTES && !found; i++) {
		if (!pattern_match(r, ROUTES[i].pattern, path))
			continue;
		*path_known = true;
		/* HEAD is answered as GET; libmicrohttpd leaves the body out. */
		if (!strcmp(ROUTES[i].method, method) || (!strcmp(method, "HEAD") && !strcmp(ROUTES[i].method, "GET")))
			found = &ROUTES[i];
	}
	return found;
}

const char *route_allow(struct request *r, const char *path)
{
	char *allow = arena_alloc(&r->arena, 64);
	if (!allow)
		return NULL;
	for (int i = 0; i < NROUTES; i++) {
		if (!pattern_match(r, ROUTES[i].pattern, path) || strstr(allow, ROUTES[i].method))
			continue;
		if (*allow)
			strncat(allow, ", ", 63 - strlen(allow));
		strncat(allow, ROUTES[i].method, 63 - strlen(allow));
	}
	return allow;
}
