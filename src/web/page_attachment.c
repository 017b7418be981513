/* page_attachment — see page_attachment.h. */
#include "web/page_attachment.h"

#include "core/account.h"
#include "core/attachment.h"
#include "core/config.h"
#include "core/limits.h"
#include "util/i18n.h"
#include "util/utf8.h"
#include "web/form.h"
#include "web/page.h"
#include "web/routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *size_words(struct request *r, size_t n)
{
	return attachment_size_words(&r->arena, n);
}

void page_attachments_field(struct request *r, const struct error *e)
{
	const struct config *cfg = config_get();
	const char *err = e ? error_field_message(e, "attachments") : NULL;
	html_printf(&r->out,
	            "<div class=\"field%s\"><label for=\"f-attachments\">%s</label>\n<p class=\"hint\" id=\"h-attachments\">",
	            err ? " invalid" : "", _("Files (optional)"));
	html_tr_n(&r->out,
	          "A position paper or an annex: up to %d file, %s, each at most %s. Each file is checked for viruses; it "
	          "is published with your contribution when your contribution is published.",
	          "A position paper or an annex: up to %d files, %s, each at most %s. Each file is checked for viruses; it "
	          "is published with your contribution when your contribution is published.",
	          (unsigned long)cfg->attachment_max_count, cfg->attachment_max_count, _(ATTACHMENT_KINDS),
	          size_words(r, (size_t)cfg->attachment_max_size));
	if (e && e->code)
		html_printf(&r->out, " %s",
		            _("If you chose files, choose them again: they are not kept when the form is sent back to you."));
	html_printf(&r->out, "</p>\n");
	if (err)
		html_printf(&r->out, "<p class=\"error\" id=\"e-attachments\">%s</p>\n", err);
	html_printf(&r->out,
	            "<input type=\"file\" id=\"f-attachments\" name=\"attachments\" multiple "
	            "accept=\".pdf,.docx,.odt,.xlsx,.txt\" aria-describedby=\"%s\"%R></div>\n",
	            err ? "e-attachments h-attachments" : "h-attachments", err ? " aria-invalid=\"true\"" : "");
}

void page_attachments_from_form(struct request *r, struct contribution_input *in)
{
	in->attachments = NULL;
	in->nattachments = 0;
	if (!r->form)
		return;
	struct contribution_attachment *files = NULL;
	int n = 0, cap = 0;
	for (int i = 0; i < r->form->nfiles; i++) {
		const struct form_file *ff = &r->form->files[i];
		if (strcmp(ff->field, "attachments") != 0)
			continue;
		struct contribution_attachment *f = arena_push(&r->arena, (void **)&files, &n, &cap, sizeof *files);
		if (!f)
			break;
		f->name = ff->filename;
		f->declared_type =
		    ff->content_type && *ff->content_type ? ff->content_type : "application/octet-stream";
		f->data = ff->data;
		f->size = ff->len;
	}
	in->attachments = files;
	in->nattachments = n;
}

void page_attachments_list(struct request *r, const struct contribution *contribution, const char *heading)
{
	struct error e;
	error_clear(&e);
	struct contribution copy = *contribution, *k = &copy;
	if (contribution_attachments(r->db, &r->arena, k, &e) != 0 || k->nattachments == 0)
		return;
	html_printf(&r->out, "<section class=\"files\" aria-labelledby=\"files-%s\"><%R id=\"files-%s\">", k->tracking,
	            heading, k->tracking);
	html_tr(&r->out, "Files (%d)", k->nattachments);
	html_printf(&r->out, "</%R>\n<ul>\n", heading);
	for (int i = 0; i < k->nattachments; i++) {
		const struct contribution_attachment *f = &k->attachments[i];
		const char *kind = attachment_kind(f->type);
		const char *facts = arena_printf(&r->arena, "%s, %s", kind ? kind : f->type, size_words(r, f->size));
		switch (f->scan) {
		case ATTACHMENT_CLEAN:
			html_printf(&r->out,
			            "<li><a href=\"/contributions/%u/attachments/%d/%u\" download>%s</a> (%s)</li>\n",
			            k->tracking, f->position, f->name, f->name, facts);
			break;
		case ATTACHMENT_PENDING:
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "%s (%s): waiting for its virus check; it can be downloaded once checked.", f->name,
			        facts);
			html_printf(&r->out, "</li>\n");
			break;
		case ATTACHMENT_QUARANTINED:
			html_printf(&r->out, "<li>");
			html_tr(&r->out, "%s (%s): withheld, a virus was found in it.", f->name, facts);
			html_printf(&r->out, "</li>\n");
			break;
		}
	}
	html_printf(&r->out, "</ul></section>\n");
}

/* The file name for Content-Disposition: filename= in plain ASCII (others made "_"), and filename*= with the
 * whole name percent-encoded (RFC 6266). */
static const char *disposition(struct request *r, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t n = strlen(name);
	char *ascii = arena_alloc(&r->arena, n + 1), *pct = arena_alloc(&r->arena, 3 * n + 1);
	if (!ascii || !pct)
		return "attachment";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const unsigned char c = (unsigned char)name[i];
		const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		                   c == '.' || c == '-' || c == '_';
		ascii[i] = plain ? (char)c : '_';
		if (plain) {
			pct[k++] = (char)c;
		} else {
			pct[k++] = '%';
			pct[k++] = hex[c >> 4];
			pct[k++] = hex[c & 15];
		}
	}
	ascii[n] = '\0';
	pct[k] = '\0';
	return arena_printf(&r->arena, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
}

void page_attachment(struct request *r)
{
	struct error e;
	error_clear(&e);
	struct contribution k;
	struct contribution_attachment f;
	char *end;
	errno = 0;
	const long position = strtol(r->params[1], &end, 10);
	const bool secretariat = r->account && r->account->role == ACCOUNT_SECRETARIAT;
	if (*end || errno || position < 1 || position > 100000 ||
	    contribution_find(r->db, &r->arena, r->params[0], &k, &e) != 0 ||
	    (!secretariat && (!contribution_is_public(&k) || contribution_is_hidden(&k))) ||
	    attachment_get(r->db, &r->arena, k.id, (int)position, &f, &e) != 0) {
		/* Of a contribution the public does not see, a file is answered like one that does not exist. */
		if (!e.code || !strcmp(e.code, ERROR_NOT_FOUND)) {
			error_clear(&e);
			error_set(&e, ERROR_NOT_FOUND, N_("There is no such file."));
		}
		page_error(r, &e);
		return;
	}
	if (f.scan != ATTACHMENT_CLEAN) {
		page_message(
		    r, 409,
		    f.scan == ATTACHMENT_PENDING
		        ? _("This file is waiting for its virus check; it can be downloaded once it has been checked.")
		        : _("This file is withheld: a virus was found in it."));
		return;
	}
	/* Sent from a file of its own: a file may be larger than a page the server builds (LIMIT_RESPONSE). */
	int fd = memfd_create("attachment", MFD_CLOEXEC);
	size_t done = 0;
	while (fd >= 0 && done < f.size) {
		ssize_t w = write(fd, (const char *)f.data + done, f.size - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (fd < 0 || done != f.size || lseek(fd, 0, SEEK_SET) != 0) {
		if (fd >= 0)
			close(fd);
		error_set(&e, ERROR_UNAVAILABLE, "The file cannot be sent now (errno %d).", errno);
		page_error(r, &e);
		return;
	}
	r->out_file = true;
	r->out_fd = fd;
	r->out_fd_size = (int64_t)f.size;
	const char *type = attachment_serve_type(f.type);
	r->out_type = !strcmp(type, "text/plain") && utf8_valid(f.data, f.size) ? "text/plain; charset=utf-8" : type;
	r->content_disposition = disposition(r, f.name);
	r->status = 200;
}
