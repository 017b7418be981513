/* docx — see docx.h. The program runs through util/run.c, like every filter Consulta uses. */
#include "render/docx.h"

#include "util/log.h"
#include "util/run.h"

#include <string.h>

int docx_to_markdown(struct arena *a, const void *docx, size_t len, const struct docx_limits *lim,
		     const char *field, const char **markdown, struct error *e)
{
	*markdown = NULL;
	if (len == 0) {
		error_field(e, field, "The file is empty.");
		return -1;
	}
	if (len > lim->max_in) {
		error_field(e, field, "The file is larger than %zu KiB; convert it to Markdown yourself, or shorten it.",
			    lim->max_in / 1024);
		return -1;
	}
	/* A .docx is a ZIP archive; anything else is refused before a program is started for it. */
	if (len < 4 || memcmp(docx, "PK\x03\x04", 4) != 0) {
		error_field(e, field, "This is not a Word document (.docx).");
		return -1;
	}

	/* --sandbox: the file may not make pandoc read other files or the network. */
	char *const argv[] = {"pandoc", "--sandbox", "--from", "docx", "--to", "gfm", "--wrap=none", NULL};
	size_t out_len = 0;
	const char *out = NULL;
	switch (run_filter(a, argv, docx, len, lim->max_out, lim->seconds, &out, &out_len)) {
	case RUN_OK:
		if (out_len == 0) {
			error_field(e, field, "The document has no text.");
			return -1;
		}
		*markdown = out;
		return 0;
	case RUN_TIMEOUT:
		error_field(e, field, "This file took too long to convert (more than %d seconds); convert it to "
				      "Markdown yourself, or split it.",
			    lim->seconds);
		return -1;
	case RUN_TOO_LARGE:
		error_field(e, field, "The converted text is longer than %zu bytes.", lim->max_out);
		return -1;
	case RUN_FAILED:
		/* pandoc also ends so when the file unpacks to more than the memory it may use (a ZIP bomb). */
		log_event("docx.pandoc_failed", "bytes=%zu", len);
		error_field(e, field, "This file could not be read as a Word document (.docx), or it holds more than "
				      "can be converted here; convert it to Markdown yourself, or split it.");
		return -1;
	case RUN_BUSY:
		error_say(e, ERROR_UNAVAILABLE, "Other documents are being converted; please try again in a minute.");
		return -1;
	case RUN_MISSING:
		error_say(e, ERROR_UNAVAILABLE, "Word documents cannot be converted on this server (pandoc is missing); "
						"paste the text as Markdown instead.");
		return -1;
	case RUN_IO:
		break;
	}
	error_say(e, ERROR_UNAVAILABLE, "The conversion failed; please try again.");
	return -1;
}
