/* pdf — see pdf.h. The program runs through util/run.c, like every filter Consulta uses. */
#include "render/pdf.h"

#include "util/log.h"
#include "util/run.h"

#include <string.h>

int pdf_from_html(struct arena *a, const char *html, size_t len, const struct pdf_limits *lim, const void **pdf,
                  size_t *pdf_len, struct error *e)
{
	*pdf = NULL;
	*pdf_len = 0;
	/* "-" twice: the HTML on standard input, the PDF on standard output; no file of ours is named. */
	char *const argv[] = {"weasyprint", "--quiet", "--encoding", "utf-8", "-", "-", NULL};
	const char *out = NULL;
	size_t out_len = 0;
	const enum run_outcome outcome =
	    run_filter_memory(a, argv, html, len, lim->max_out, lim->seconds, lim->memory, &out, &out_len);
	switch (outcome) {
	case RUN_OK:
		/* Exit status 0 with something that is not a PDF would be kept and shown as one: refuse it. */
		if (out_len < 5 || memcmp(out, "%PDF-", 5) != 0)
			break;
		*pdf = out;
		*pdf_len = out_len;
		return 0;
	case RUN_MISSING:
		error_say(e, ERROR_UNAVAILABLE,
		          "The PDF cannot be made on this server (WeasyPrint is missing); the "
		          "report's HTML page can be printed instead.");
		return -1;
	case RUN_TIMEOUT:
		error_say(e, ERROR_UNAVAILABLE, "Making the PDF took longer than %d seconds, and was stopped.",
		          lim->seconds);
		return -1;
	case RUN_TOO_LARGE:
		error_say(e, ERROR_UNAVAILABLE, "The PDF would be larger than %zu MiB, and was not kept.",
		          lim->max_out / (1024 * 1024));
		return -1;
	case RUN_BUSY:
		error_say(e, ERROR_UNAVAILABLE, "Other documents are being converted; please try again in a minute.");
		return -1;
	case RUN_FAILED:
	case RUN_IO: break;
	}
	log_event("pdf.weasyprint_failed", "outcome=%d bytes=%zu", (int)outcome, len);
	error_say(e, ERROR_UNAVAILABLE, "The PDF could not be made; please try again.");
	return -1;
}
