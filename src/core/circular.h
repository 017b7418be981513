/*
 * circular — the numbered letters a body's secretariat sends to groups of
 * stakeholders to announce the steps of a process (CL-20/55: a reference,
 * a date, a subject, addressee categories for action and for information,
 * references to earlier letters, a contact person, and an annex).
 *
 * A letter is written as a draft (circular_draft_*: edited and previewed
 * freely) and becomes a letter when it is issued (circular_issue, the one
 * way in): the issue gives it its number from its body's pattern
 * (letter_body.pattern, e.g. "CL-{yy}/{n}"), dates it, and freezes what it
 * says, the schedule annex included (the schedule as it stood at that
 * moment, kept as JSON with the letter). An issued letter never changes
 * (migration 026: the table refuses updates); a mistake is corrected by a
 * corrigendum, a new letter whose corrects_id names the old one.
 *
 * Numbering. The number is taken from the body's counter row for the series
 * (the pattern with its year filled in and the number left out, "CL-20"),
 * incremented in the issuing transaction: two issues at once wait for each
 * other (the writers' lock on both backends), so numbers are consecutive,
 * never reused, and a failed issue gives its number back with its rollback.
 * A series restarts with each year its pattern names.
 *
 * The issue is a fact of the tamper-evident record: its audit entry
 * ("circular.issue", ledger_audit_kind) carries the letter's canonical facts
 * and the SHA-256 of its text and of its annex, and becomes a ledger leaf.
 *
 * Languages. A letter's own subject and text are in its process's first
 * language; the secretariat may give the draft a subject and a text in each
 * other language of the process (circular_draft_text_put, migration 039),
 * checked as its own are. The issue freezes them with the letter (their
 * SHA-256 in its audit entry); each has its own PDF, kept as the first's is.
 */
#ifndef CONSULTA_CORE_CIRCULAR_H
#define CONSULTA_CORE_CIRCULAR_H

#include "core/audit.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a category is addressed; one table of names (circular.c), which the database and the API hold. */
enum circular_purpose { CIRCULAR_ACTION, CIRCULAR_INFORMATION };
const char *circular_purpose_name(enum circular_purpose p);
bool circular_purpose_parse(const char *name, enum circular_purpose *out);

struct circular_addressee {
	const char *slug;
	const char *name;
	enum circular_purpose purpose;
};

/* A letter it refers to (or corrects). */
struct circular_cite {
	int64_t id;
	const char *reference;
	const char *date;
	const char *subject;
};

/* The letter (or draft) in another language of its process: its own subject and text. */
struct circular_text {
	const char *language; /* a BCP 47 tag: "fr" */
	const char *subject;
	const char *markdown;
};

/* One row of a frozen schedule annex. */
struct circular_annex_row {
	const char *title;
	const char *date;
	const char *end_date; /* NULL for one day */
	const char *status;   /* a milestone status's name */
};

struct circular {
	int64_t id;
	int64_t process_id;
	const char *reference;
	const char *date;
	const char *subject;
	const char **addressees; /* category names, for action then for information */
	int naddressees;
	/* Below: loaded by circular_find() (circular_list() leaves them empty). */
	const char *markdown;
	const char *contact;
	const char *series;   /* NULL for a letter recorded before letters were issued here */
	int64_t number;
	int64_t issued_at;    /* 0 for such a letter */
	struct circular_addressee *to;
	int nto;
	struct circular_cite *cites; /* the letters it refers to */
	int ncites;
	struct circular_cite corrects; /* id 0 when it corrects none */
	bool has_annex;
	struct circular_annex_row *annex;
	int nannex;
	const char *annex_json; /* as frozen, or NULL */
	struct circular_text *texts; /* its texts in the process's other languages, in tag order */
	int ntexts;
	/* The language subject and markdown are in: NULL for its own text (the process's first language), else
	 * the text's, once circular_use_text() has put it in their place. */
	const char *language;
};

/* Records an issued letter as it was (a loader's way: unchecked, unnumbered, unrecorded). */
int circular_add(struct db *db, int64_t process_id, const char *reference, const char *date, const char *subject,
		 int64_t *id, struct error *e);
int circular_add_addressee(struct db *db, int64_t circular_id, int64_t category_id, struct error *e);
/* The letters of a process, oldest first, with their addressees' names. */
int circular_list(struct db *db, struct arena *a, int64_t process_id, struct circular **out, int *n,
		  struct error *e);
/* Puts in letters[0..n) (of one process, from circular_list) the subject of their text in language where they
 * have one, and sets their language to it; the others keep their own. */
int circular_list_in(struct db *db, struct arena *a, struct circular *letters, int n, const char *language,
		     struct error *e);
/* One issued letter with all it says, its texts in other languages included; ERROR_NOT_FOUND if there is none. */
int circular_find(struct db *db, struct arena *a, int64_t id, struct circular *out, struct error *e);
/* Puts c's text in language (one of c->texts) in the place of its own subject and text, and sets c->language;
 * false (c unchanged) if it has none in that language. */
bool circular_use_text(struct circular *c, const char *language);

/* One letter of the public archive (every issued letter of every process). */
struct circular_entry {
	int64_t id;
	const char *reference;
	const char *series; /* the reference without its number for a letter recorded before 026 */
	const char *date;
	const char *subject;
	const char *process_slug, *process_title;
	int64_t issued_at; /* 0 for a letter recorded before 026 */
};
/* The archive, newest first (by date, then id): at most limit letters (0: all), each once; its subject in
 * language when it has a text in it (NULL: the letters' own). */
int circular_archive(struct db *db, struct arena *a, int limit, const char *language, struct circular_entry **out,
		     int *n, struct error *e);

/* -- drafts --------------------------------------------------------------------------------------------- */

/* A draft as the secretariat sends it. For circular_draft_update() a NULL member stays as it is. Lists are
 * separated by commas (or white space): category slugs, and references of issued letters ("CL-20/18"). */
struct circular_input {
	const char *subject;
	const char *markdown;
	const char *contact;
	const char *for_action;
	const char *for_information;
	const char *references;
	const char *corrects;   /* the reference of the letter it corrects, "" for none */
	int schedule_annex;     /* 1: annex the schedule at issue, 0: not, -1: as it is (update) */
};

struct circular_draft {
	int64_t id;
	int64_t process_id;
	const char *subject;
	const char *markdown;
	const char *contact;
	const char *for_action;
	const char *for_information;
	const char *references;
	const char *corrects;   /* its reference, or "" */
	bool schedule_annex;
	int64_t created_at, updated_at;
	int64_t circular_id;    /* the letter it became, 0 while it is a draft */
	const char *issued_reference; /* that letter's reference, or NULL */
};

/* Writes a draft (audit "circular.draft"); a draft need not be complete, but what it has must be valid
 * (known categories and letters, lengths): field errors subject, markdown, contact, for_action,
 * for_information, references, corrects. */
int circular_draft_create(struct db *db, struct arena *a, const struct actor *who, int64_t process_id,
			  const struct circular_input *in, int64_t *id, struct error *e);
/* Edits a draft (audit "circular.edit"); ERROR_CONFLICT once it is issued. */
int circular_draft_update(struct db *db, struct arena *a, const struct actor *who, int64_t id,
			  const struct circular_input *in, struct error *e);
int circular_draft_find(struct db *db, struct arena *a, int64_t id, struct circular_draft *out, struct error *e);
/* A process's drafts not yet issued, newest first. */
int circular_draft_list(struct db *db, struct arena *a, int64_t process_id, struct circular_draft **out, int *n,
			struct error *e);
/*
 * Gives (or replaces) draft id's subject and text in language, one of its process's languages but its first,
 * checked as the draft's own are (lengths, one line for the subject) and both required; an empty subject and
 * text both remove the text in that language. Audit "circular.text". ERROR_CONFLICT once the draft is issued
 * (the issue froze its texts with it); field errors language, subject, markdown. One transaction.
 */
int circular_draft_text_put(struct db *db, struct arena *a, const struct actor *who, int64_t id, const char *language,
			    const char *subject, const char *markdown, struct error *e);
/* A draft's texts in other languages, in tag order. */
int circular_draft_texts(struct db *db, struct arena *a, int64_t id, struct circular_text **out, int *n,
			 struct error *e);

/* The letter the draft would be if issued now, for its preview: no id, the reference "(number on issue)",
 * today's date in the process's zone, the live schedule as annex. */
int circular_draft_preview(struct db *db, struct arena *a, int64_t id, struct circular *out, struct error *e);

/* Issues the draft, in one transaction: checks it is complete (a subject, a text, at least one category
 * for action; each text in another language still in one of the process's other languages), numbers it,
 * freezes it with its annex and its texts, records it (audit "circular.issue", a ledger leaf) and indexes it
 * for search, its texts in every language. *circular_id (may be NULL) the letter's id. ERROR_CONFLICT if it is issued
 * already; field errors as circular_draft_create(). */
int circular_issue(struct db *db, struct arena *a, const struct actor *who, int64_t draft_id,
		   int64_t *circular_id, struct error *e);

/* -- the PDF and the letterhead ------------------------------------------------------------------------- */

/* A body's letterhead: the address block, and the logo (a blob's name and its type, or NULL). */
struct circular_letterhead {
	const char *address;
	const char *logo_blob;
	const char *logo_type; /* image/png or image/jpeg */
	const void *logo;      /* its bytes, when loaded with them */
	size_t logo_len;
};
/* The letterhead of a body ("" and NULLs if none is set); with_logo loads the logo's bytes too. */
int circular_letterhead(struct db *db, struct arena *a, const char *body, bool with_logo,
			struct circular_letterhead *out, struct error *e);
/* Sets the address block (NULL: keeps it), the numbering pattern (NULL or "": keeps it; see
 * circular_pattern_valid) and, if logo is not NULL, the logo (PNG or JPEG bytes, at most LIMIT_LETTER_LOGO;
 * logo_len 0 removes it), in one transaction; audit "letterhead.update". Field errors address, pattern, logo. */
int circular_letterhead_set(struct db *db, struct arena *a, const struct actor *who, const char *body,
			    const char *address, const char *pattern, const void *logo, size_t logo_len,
			    struct error *e);

/* The PDF kept for a letter in language (one of its texts' languages; NULL: its own text's, the process's
 * first): its SHA-256 (hex) and size, and with bytes its bytes; ERROR_NOT_FOUND if none. */
int circular_pdf_find(struct db *db, struct arena *a, int64_t circular_id, const char *language, char sha256[65],
		      int64_t *size, const void **bytes, struct error *e);
/* Keeps a letter's PDF in language (as circular_pdf_find; the first one made: a second is refused with
 * ERROR_CONFLICT, and the first kept) as a blob, with audit "circular.pdf" {reference, sha256, size, and
 * language for a text's}: a ledger leaf, so that the PDF's hash is in the tamper-evident record beside the
 * letter's facts. */
int circular_pdf_keep(struct db *db, struct arena *a, const struct actor *who, int64_t circular_id,
		      const char *language, const void *pdf, size_t len, char sha256[65], struct error *e);

/* -- distribution -------------------------------------------------------------------------------------- */

/* Who a letter goes to: confirmed subscribers of the process, registered stakeholders (confirmed address)
 * of the addressed categories, and the addresses in all (each once). */
struct circular_recipients {
	int64_t subscribers, stakeholders, addresses;
};
/* The recipients a draft would have if issued now (its preview). */
int circular_draft_recipients(struct db *db, struct arena *a, int64_t draft_id, struct circular_recipients *out,
			      struct error *e);

/* Where the mails of an issued letter stand: addresses, queued in the outbox, sent, failed for good. */
struct circular_distribution {
	int64_t addresses, queued, sent, failed;
};
int circular_distribution(struct db *db, int64_t circular_id, struct circular_distribution *out, struct error *e);

/* One group of a letter's recipients, with where its mails stand: the process's subscribers (slug NULL),
 * or the registered stakeholders of one addressed category. An address in two groups counts in each. */
struct circular_recipient_group {
	const char *slug, *name; /* the category's; NULL for the subscribers */
	enum circular_purpose purpose;
	int64_t addresses, queued, sent, failed;
};
/* The groups of an issued letter: the subscribers first, then its categories for action, then for
 * information (each in the process's order of categories), in the arena. */
int circular_distribution_groups(struct db *db, struct arena *a, int64_t circular_id,
				 struct circular_recipient_group **out, int *n, struct error *e);

/* Queues up to limit of the letters' mails not queued yet (of letters whose PDF is made: it is attached),
 * in one transaction: each with the letter's text, its address, and the PDF; a subscriber's with its leave
 * link, its words in the subscriber's language, and the letter's text and PDF in it when the letter has one
 * (Content-Language that text's; the PDFs missing are made first, a few per call). *queued the mails queued (fewer than limit: none left for now). Called by the mail sender's thread
 * (mail/sender.c) until none are left, so that a restart resumes where it stopped. */
int circular_distribute(struct db *db, struct arena *a, int limit, int *queued, struct error *e);

/* -- numbering ------------------------------------------------------------------------------------------ */

/* Checks a pattern: at most 40 bytes, exactly one {n}, otherwise {yy}, {yyyy} and printable ASCII. */
bool circular_pattern_valid(const char *pattern);
/* Fills a pattern for a year: *series the pattern without its number (trailing '/', '-', '.' or space
 * removed: "CL-20"), and the reference of number n ("CL-20/55"), in the arena. -1 if invalid. */
int circular_pattern_format(struct arena *a, const char *pattern, int year, int64_t n, const char **series,
			    const char **reference);
/* The pattern of a body's letters (the default "CL-{yy}/{n}" if none is set), and its setting. */
int circular_pattern(struct db *db, struct arena *a, const char *body, const char **pattern, struct error *e);
int circular_pattern_set(struct db *db, const char *body, const char *pattern, struct error *e);
/* Sets the last number given in a series (a loader's way, for letters issued before the platform: the
 * next issued is last + 1), inside the caller's transaction. */
int circular_counter_set(struct db *db, const char *body, const char *series, int64_t last, struct error *e);

#endif
