/*
 * limits — every size limit of Consulta, in one place. Each has a test at
 * its edge; change them here and nowhere else.
 */
#ifndef CONSULTA_CORE_LIMITS_H
#define CONSULTA_CORE_LIMITS_H

enum {
	/* bytes of a POST body, form or JSON: room for LIMIT_TEXT characters in any
	 * script however the client encodes them (a form sends 9 bytes for one
	 * CJK character, JSON up to 12 for one \u-escaped pair) */
	LIMIT_REQUEST_BODY = 2 * 1024 * 1024,
	LIMIT_URL = 2048,                   /* bytes of a request path and query */
	/* open data files written at once (web/api_export.c): each holds a worker thread for as long as its rows
	 * take to read, and the workers also take the contributions; one more export is answered 503 */
	LIMIT_EXPORTS_AT_ONCE = 2,
	LIMIT_FORM_COMMENTS = 100,          /* comment rows on the contribution form (more: a comment table) */
	LIMIT_FORM_FIELDS = 32 + 4 * LIMIT_FORM_COMMENTS, /* fields in one submitted form: 4 per comment row */
	/* files with a contribution by the web form or the API (core/attachment.h); config sets the size and the
	 * count (--attachment-max-size, --attachment-max-count) up to these */
	LIMIT_ATTACHMENTS = 10,                        /* files, at most */
	LIMIT_ATTACHMENTS_DEFAULT = 5,
	LIMIT_ATTACHMENT = 10 * 1024 * 1024,           /* bytes of one file, at most */
	LIMIT_ATTACHMENT_DEFAULT = 5 * 1024 * 1024,
	/* files uploaded with one multipart form: the attachments, one more to be told "too many", the comment table */
	LIMIT_FORM_FILES = LIMIT_ATTACHMENTS + 2,
	LIMIT_NAME = 200,                   /* characters of a person's name */
	LIMIT_ORGANIZATION = 200,           /* characters of an organization's name */
	LIMIT_EMAIL = 254,                  /* bytes of an e-mail address (RFC 5321) */
	LIMIT_TEXT = 100000,                /* characters of a contribution's text */
	LIMIT_COMMENTS = 500,               /* comments in one contribution */
	LIMIT_COMMENT = 20000,              /* characters of one comment, and of its proposed change */
	/* characters of all the comments and proposed changes of one contribution: with its text, it stays a
	 * page and an answer well under LIMIT_RESPONSE however it is escaped */
	LIMIT_COMMENTS_TEXT = 500000,
	LIMIT_SEARCH_QUERY = 256,           /* characters of a search query (core/search.c) */
	LIMIT_SEARCH_TERMS = 16,            /* words and phrases of one search query */
	LIMIT_SEARCH_PAGE = 1000,           /* pages of search results (of LIMIT_PAGE_SIZE at most) one may ask for */
	LIMIT_SEARCH_RANKED = 2000,         /* matches ranked together, newest first (search.c) */
	LIMIT_SEARCH_COUNTED = 10000,       /* matches a search counts; beyond, "more than" that (search.c) */
	LIMIT_PAGE_SIZE = 100,              /* items per page of a list, at most */
	LIMIT_PAGE_SIZE_DEFAULT = 20,       /* items per page when none is asked for */
	LIMIT_FEED_ENTRIES = 50,            /* entries of an Atom feed: the newest; the pages are the archive */
	LIMIT_FEED_SUMMARY = 600,           /* characters of a contribution's text in its feed entry */
	LIMIT_RESPONSE = 8 * 1024 * 1024,   /* bytes of one response we build */
	/* bytes of the items of one page of a list (contributions, moderation): a page ends at LIMIT_PAGE_SIZE
	 * items or at this many bytes, whichever comes first, and links to the rest; 20 contributions of
	 * LIMIT_TEXT characters are more than LIMIT_RESPONSE */
	LIMIT_PAGE_BYTES = 2 * 1024 * 1024,
	LIMIT_COMPARE_FOLD = 500, /* unchanged paragraphs in one <details> of a comparison, at most */
	LIMIT_TITLE = 300,                  /* characters of a title: process, document, call, milestone, version label */
	LIMIT_SUMMARY = 5000,               /* characters of a process's summary, a call's description, a version's note */
	LIMIT_SITE_PAGE = 50000,            /* characters of the about or privacy page's Markdown */
	LIMIT_REASON = 2000,                /* characters of the reason for a move, a deadline change or hiding */
	LIMIT_DISPOSITION_REASON = 5000,    /* characters of the reason given with the answer to a comment */
	LIMIT_CATEGORIES = 50,              /* categories of stakeholders of one process */
	LIMIT_CATEGORY_NAMES = 16,          /* names of one category, one per language */
	LIMIT_LANGUAGES = 20,               /* languages of one process */
	LIMIT_DOCX = 1536 * 1024,           /* bytes of an uploaded .docx (base64 in a JSON body of at most 2 MiB) */
	LIMIT_CONVERT_SECONDS = 20,         /* wall-clock seconds pandoc may take for one conversion */
	/* the PDF of the report to the governing body (core/report.c, render/pdf.c: WeasyPrint) */
	LIMIT_REPORT_HTML = 64 * 1024 * 1024,        /* bytes of the report's HTML laid out as PDF */
	LIMIT_LETTER_LOGO = 512 * 1024,              /* bytes of a letterhead's logo (core/circular.h) */
	LIMIT_REPORT_PDF = 32 * 1024 * 1024,         /* bytes of one PDF; more and it is not kept */
	LIMIT_REPORT_PDF_SECONDS = 120,              /* wall-clock (and CPU) seconds WeasyPrint may take */
	LIMIT_REPORT_PDF_MEMORY = 1024 * 1024 * 1024, /* bytes of address space it may map (util/run.h's
						       * RUN_MEMORY_LIMIT is for pandoc and pdftotext) */
	/* a filled comment table (render/sheet.c, core/comment_table.c) */
	LIMIT_TABLE_ROWS = 20000,           /* non-empty rows of one comment table; one more and it is refused */
	LIMIT_TABLE_COLUMNS = 64,           /* columns with text (the template has 7) */
	LIMIT_TABLE_CELL = 64 * 1024,       /* bytes of one cell */
	LIMIT_TABLE_UNZIPPED = 64 * 1024 * 1024, /* bytes one XLSX entry may inflate to; more is a zip bomb */
	/* a resolution matrix uploaded back with its answers (core/disposition_upload.c): the whole matrix of a
	 * call of 100,000 comments, with room */
	LIMIT_MATRIX_ROWS = 200000,         /* non-empty rows; one more and the file is refused */
	LIMIT_MATRIX_FILE = 96 * 1024 * 1024, /* bytes of the file; its upload's body may be LIMIT_MATRIX_BODY */
	LIMIT_MATRIX_BODY = LIMIT_MATRIX_FILE + 64 * 1024, /* the file and a multipart form's other fields */
	LIMIT_MATRIX_UNZIPPED = 1024 * 1024 * 1024, /* bytes one entry of its XLSX may inflate to (read as a stream) */
	LIMIT_AUDIT_PAGE = 200,             /* audit entries per page, at most */
	/* contributions by e-mail (src/mail/) */
	LIMIT_MAIL_MESSAGE = 25 * 1024 * 1024, /* bytes of one message as it arrives; more is refused (552) */
	LIMIT_MAIL_ATTACHMENTS = 20,        /* attachments of one message; more and it is held for the secretariat */
	LIMIT_MAIL_ATTACHMENT = 15 * 1024 * 1024, /* bytes of one attachment, decoded; more and the message is held */
	LIMIT_MAIL_DEPTH = 8,               /* MIME parts and forwarded messages nested in one another */
	LIMIT_MAIL_PARTS = 200,             /* MIME parts of one message, in all */
	LIMIT_MAIL_SUBJECT = 998,           /* characters of a subject kept (RFC 5322's line length) */
	LIMIT_MAIL_EXTRACT = 1024 * 1024,   /* bytes of text extracted from one attachment for search */
	LIMIT_RECORD_ATTACHMENT_TEXT = 64 * 1024, /* bytes of an attachment's text in a contribution's record (API):
						    * 20 attachments stay far under LIMIT_RESPONSE */
	LIMIT_MAIL_REFERENCES = 20,         /* Message-IDs a receipt carries in References */
	LIMIT_LMTP_CONNECTIONS = 32,        /* LMTP connections served at once; more are told 421 */
	LIMIT_LMTP_RECIPIENTS = 100,        /* recipients of one LMTP transaction (RFC 5321's minimum) */
	LIMIT_LMTP_LINE = 4096,             /* bytes of one LMTP command line (RFC 5321 asks for 512) */
	LIMIT_LMTP_TIMEOUT = 300,           /* seconds an LMTP client may stay silent (RFC 5321: 5 minutes) */
};

#endif
