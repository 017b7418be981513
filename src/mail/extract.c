/* extract — see extract.h. */
#include "mail/extract.h"

#include "core/attachment.h"
#include "core/limits.h"
#include "util/log.h"
#include "util/run.h"
#include "util/secret.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXTRACT_TNEF_FILES = LIMIT_MAIL_ATTACHMENTS };

int extract_init(void)
{
	return attachment_init();
}

const char *extract_type(struct arena *a, const void *data, size_t len)
{
	return attachment_type(a, data, len);
}

static bool type_is(const char *type, const char *want)
{
	return type && !strcasecmp(type, want);
}

static bool name_ends(const char *name, const char *ext)
{
	size_t n = strlen(name), m = strlen(ext);
	return n > m && !strcasecmp(name + n - m, ext);
}

/* The text of one file: a mail part's own charset and HTML here; what its bytes are (PDF, Word, OpenDocument,
 * UTF-8 text) the one way of core/attachment.h, as for the web's files. */
static const char *file_text(struct arena *a, const struct contribution_attachment *f, const char *charset)
{
	const char *t = f->type;
	if (!f->data || f->size == 0)
		return NULL;
	if (type_is(t, "text/html") || (!strncasecmp(t, "text/", 5) && name_ends(f->name, ".html"))) {
		const char *utf8 = intake_text_utf8(a, f->data, f->size, charset);
		return utf8 ? intake_html_text(a, utf8, strlen(utf8)) : NULL;
	}
	if (!strncasecmp(t, "text/", 5) && !type_is(t, "text/rtf"))
		return intake_text_utf8(a, f->data, f->size, charset);
	return attachment_text(a, f);
}

/* Reads a whole small file into the arena; NULL if it cannot. */
static const void *slurp(struct arena *a, const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	unsigned char *data = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max &&
	    (data = arena_alloc(a, (size_t)st.st_size + 1))) {
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		*len = got;
	}
	close(fd);
	return data;
}

/* Removes dir and the files in it (tnef makes no subfolders: --use-paths is not given). Each file is
 * unlinked relative to the directory's descriptor, so no path is built and none can be cut short. */
static void remove_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		if (d) {
			struct dirent *ent;
			while ((ent = readdir(d)))
				if (strcmp(ent->d_name, ".") && strcmp(ent->d_name, ".."))
					unlinkat(dirfd(d), ent->d_name, 0);
			closedir(d); /* closes fd too */
		} else {
			close(fd);
		}
	}
	rmdir(dir);
}

/* Opens winmail.dat with the tnef program: its files appended to *files, its body (if the message has no
 * text) into in->text. false if it could not be opened: the caller keeps winmail.dat as it is. */
static bool tnef_open(struct arena *a, struct intake *in, const struct intake_attachment *dat,
                      struct contribution_attachment **files, int *n, int *cap)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/consulta-tnef-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		log_event("mail.tnef_failed", "reason=mkdtemp errno=%d", errno);
		return false;
	}
	/* The body goes to a name no attachment can have, so that it is told apart from them. */
	char body_name[64], rnd[17];
	secret_hex(8, rnd);
	snprintf(body_name, sizeof body_name, "consulta-body-%s", rnd);
	char *dir_arg = arena_printf(a, "--directory=%s", dir),
	     *body_arg = arena_printf(a, "--save-body=%s", body_name);
	char *max_arg = arena_printf(a, "--maxsize=%d", LIMIT_MAIL_ATTACHMENT);
	char *const argv[] = {"tnef",           "--file=-",         dir_arg, body_arg,
	                      "--body-pref=tH", "--number-backups", max_arg, NULL};
	const char *ignored;
	size_t ignored_len;
	enum run_outcome r = dir_arg && body_arg && max_arg ? run_filter(a, argv, dat->data, dat->size, 64 * 1024,
	                                                                 LIMIT_CONVERT_SECONDS, &ignored, &ignored_len)
	                                                    : RUN_IO;
	bool opened = false;
	/* In the order of their names: the same winmail.dat gives the same list every time. */
	struct dirent **ents = NULL;
	int nents = r == RUN_OK ? scandir(dir, &ents, NULL, alphasort) : -1;
	if (r != RUN_OK)
		log_event("mail.tnef_failed", "outcome=%d", (int)r);
	int count = 0;
	for (int k = 0; k < nents && count < EXTRACT_TNEF_FILES; k++) {
		const struct dirent *ent = ents[k];
		if (ent->d_name[0] == '.' && (!ent->d_name[1] || (ent->d_name[1] == '.' && !ent->d_name[2])))
			continue;
		char *path = arena_printf(a, "%s/%s", dir, ent->d_name);
		size_t len = 0;
		const void *data = path ? slurp(a, path, LIMIT_MAIL_ATTACHMENT, &len) : NULL;
		if (!data)
			continue;
		if (!strncmp(ent->d_name, body_name, strlen(body_name))) {
			if (!*in->text) {
				const char *text = intake_text_utf8(a, data, len, NULL);
				if (text && name_ends(ent->d_name, ".html"))
					text = intake_html_text(a, text, strlen(text));
				if (text)
					in->text = text;
			}
			continue;
		}
		struct contribution_attachment *f = arena_push(a, (void **)files, n, cap, sizeof **files);
		if (!f)
			break;
		f->name = arena_strdup(a, ent->d_name);
		f->declared_type = "application/octet-stream"; /* what the TNEF said of it is Outlook's own business */
		f->data = data;
		f->size = len;
		count++;
		opened = true;
	}
	for (int k = 0; k < nents; k++)
		free(ents[k]);
	free(ents);
	remove_dir(dir);
	return opened;
}

int extract_attachments(struct arena *a, struct intake *in, struct contribution_attachment **out, int *n,
                        struct error *e)
{
	*out = NULL;
	*n = 0;
	int cap = 0;
	for (int i = 0; i < in->nattachments; i++) {
		const struct intake_attachment *src = &in->attachments[i];
		const int first = *n;
		if (!(src->tnef && src->data && tnef_open(a, in, src, out, n, &cap))) {
			struct contribution_attachment *f = arena_push(a, (void **)out, n, &cap, sizeof **out);
			if (!f) {
				error_set(e, ERROR_UNAVAILABLE, "out of memory");
				return -1;
			}
			f->name = src->name;
			f->declared_type = src->declared_type;
			f->data = src->data;
			f->size = src->size;
			f->text = src->text;
		}
		for (int k = first; k < *n; k++) {
			struct contribution_attachment *f = &(*out)[k];
			f->type = attachment_type(a, f->data, f->data ? f->size : 0);
			f->scan = ATTACHMENT_PENDING; /* a message keeps every file; the loop scans it (core/attachment.h) */
			if (!f->text)
				f->text = file_text(a, f, k == first ? src->charset : NULL);
		}
	}
	return 0;
}
