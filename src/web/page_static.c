/* page_static — the stylesheet and other assets carried in the binary. */
#include "embedded.h"
#include "util/i18n.h"
#include "web/routes.h"

#include <string.h>

void page_static(struct request *r)
{
	for (const struct embedded_file *f = embedded_static; f->name; f++) {
		if (strcmp(f->name, r->params[0]) != 0)
			continue;
		buf_reset(&r->out);
		buf_append(&r->out, f->data, f->len);
		const char *dot = strrchr(f->name, '.');
		r->out_type = !dot			? "application/octet-stream"
			      : !strcmp(dot, ".css") ? "text/css; charset=utf-8"
			      : !strcmp(dot, ".svg") ? "image/svg+xml"
			      : !strcmp(dot, ".js")  ? "text/javascript; charset=utf-8"
						     : "application/octet-stream";
		r->cache_control = "public, max-age=3600";
		r->status = 200;
		return;
	}
	r->status = 404;
	buf_reset(&r->out);
	buf_printf(&r->out, "%s\n", _("There is no such file."));
}
