/*
 * page — the frame shared by every HTML page: head, skip link, header with
 * the site name, main landmark, footer. Text goes through render/html.h.
 */
#ifndef CONSULTA_WEB_PAGE_H
#define CONSULTA_WEB_PAGE_H

#include "core/call.h"
#include "core/comment.h"
#include "core/meeting.h"
#include "render/html.h"
#include "web/request.h"

/* Starts a page; title is escaped. */
void page_begin(struct request *r, const char *title);
/* The same with the page's Atom feeds in its head (<link rel="alternate" type="application/atom+xml">, which
 * browsers and feed readers find): feeds[i] is a path, feed_titles[i] its title; n of them. */
void page_begin_feeds(struct request *r, const char *title, const char *const *feeds, const char *const *feed_titles,
		      int n);
/* Ends the page and sets the reply (status, HTML type). */
void page_end(struct request *r, int status);
/* A whole page saying what went wrong, from a core error (404, 503, ...). */
void page_error(struct request *r, const struct error *e);
/* The id in the route's first parameter ({id}); false, with the 404 page saying not_found, when it is not one. */
bool page_route_id(struct request *r, int64_t *id, const char *not_found);

/* A whole page with a status and one sentence for the person. */
void page_message(struct request *r, int status, const char *message);

/* One labelled input with its hint and error, wired for screen readers
 * (aria-invalid, aria-describedby); the id is "f-<name>". */
void page_input(struct request *r, const struct error *e, const char *name, const char *label, const char *hint,
		const char *value, const char *type, const char *autocomplete, int maxlength);

/* The <option>s of a country <select>, after its "Choose...": every country by its name, in the order of the
 * reader's language (core/country.h; English until pages have a language), with the one whose code is
 * selected (in any case; NULL for none) marked as selected. */
void page_country_options(struct request *r, const char *selected);
/* A language tag as people read it: an offered language's own name ("Français"), else the tag itself. */
const char *page_language_name(const char *tag);

/* What has texts in several languages, for page_text_notice()'s sentences. */
enum page_text_of { PAGE_TEXT_VERSION, PAGE_TEXT_COMPARISON, PAGE_TEXT_LETTER };
/*
 * What a page says about the language of the text it shows (every page with texts in several languages says it
 * the same way): when missing (the language the reader asked for or reads) is not NULL, a notice that the text
 * has none in it and is shown in own, the process's first language (id="text-language"); then links to
 * base?text=L for each of others[0..nothers) (nothing if none).
 */
void page_text_notice(struct request *r, enum page_text_of of, const char *missing, const char *own,
		      const char *const *others, int nothers, const char *base);
/*
 * Which of a letter's texts the reader gets: the one asked for (?text=) or in the reader's language
 * (page_text_reader), else its own (own: the process's first language) with the notice; then links to its other
 * texts (page_text_notice). texts[0..ntexts): the languages it has a text in besides its own. Returns the
 * language of the text to show: own or one of texts.
 */
const char *page_letter_text_language(struct request *r, const char *path, const char *own,
				      const char *const *texts, int ntexts);

struct call;
struct contribution;
struct document;
struct version;

/* A contribution's comments (loaded by comment_attach), each with its ¶N linked to the paragraph's page,
 * under a heading of the given level ("h2", "h3"); nothing when it has none (page_paragraph.c). */
void page_comments(struct request *r, const struct contribution *k, const char *heading);

/* Attaches the answers to the comments of items[0..n) (of call_id, loaded by comment_attach) once the call's
 * dispositions are published, so that page_comments() shows each; before, nothing (page_paragraph.c). */
int page_dispositions_attach(struct request *r, struct contribution *items, int n, int64_t call_id,
			     struct error *e);

/* A version's text with, at each paragraph, its count of published comments (one query for the page,
 * carried-forward ones included) and "Comment on ¶N" while a call on it is open; then the comments on
 * paragraphs this version no longer has (page_paragraph.c). */
void page_version_text(struct request *r, const struct version *v, const struct document *doc);

struct process;
/* Which language of versions[0..n) (one version, or two compared) the reader gets (core/version_text.h's
 * version_text_choose): the one asked for by ?text=, else the reader's interface language, when every version
 * has a text in it; else the process's first language, with a notice saying so. Writes that notice and links
 * to base?text=L for each other language every version has; returns the language shown (page_paragraph.c). */
const char *page_text_language(struct request *r, const int64_t *versions, int n, const struct process *p,
			       const char *base);
/* The language of a version's text the reader asks for: ?text= (a link of page_text_language's), else the
 * interface's (English for the pseudo-locale); page_text_language() decides whether they get it. */
const char *page_text_reader(struct request *r);
/* Opens the element that holds a text in lang: <div lang="fr" dir="ltr"> (dir="rtl" for a right-to-left
 * language), its own direction whatever the page's. */
void page_text_begin(struct request *r, const char *lang);
/* How a type of comment reads in the reader's language: "General", "Technical", "Editorial" (page_paragraph.c). */
const char *page_comment_type_text(enum comment_type t);

/* "You said, we did" on a version's page: the headline numbers of what the comments on the version it
 * revises became, once published, and a link to the whole page; nothing before (page_outcome.c). */
void page_outcome_section(struct request *r, const struct version *v);

/* The changes of a call's deadline and state with their reasons (page_call.c). */
void page_call_history(struct request *r, struct call *c);
/* A call's state in the reader's language ("Open"; core's call_state_label() is the English). */
const char *page_call_state_label(enum call_state s);
/* How a meeting is held in the reader's language ("online"; core's meeting_format_name() is the API's name). */
const char *page_meeting_format_label(enum meeting_format f);
/* The call's deadline statement (core/deadline.h) as a paragraph, its instants in <time datetime> elements
 * that static/localtime.js completes with the reader's own time. */
void page_deadline(struct request *r, const struct call *c);
/* Each extension of c's deadline with its reason, one paragraph each (loads c's history if not loaded). */
void page_deadline_extensions(struct request *r, struct call *c);

/* Helpers shared by pages: dates and instants as people read them. */
/* A note before a form's button that links the privacy notice: "<what> Privacy notice: ...". */
void page_privacy_note(struct request *r, const char *what);

/* The mistake a form comes back with when its CSRF token failed (a route's .stale handler, web/routes.h): it
 * had expired or came from elsewhere, nothing was done; ERROR_INVALID without fields, shown as the form's
 * error summary. The handler then answers 403 with the form as typed and a fresh token. */
void page_form_stale(struct error *e);
/* In r's language: ICU's form for it (util/i18n.h: "15 février 2021"), English's own below. */
const char *page_date(struct request *r, const char *date);          /* "15 February 2021" */
const char *page_instant_local(struct request *r, const char *tzid, int64_t t);
const char *page_instant_utc(struct request *r, int64_t t);
/* "1 December 2026, 10:33 Zurich time (UTC+1)" (tz_format_human). */
const char *page_instant_human(struct request *r, const char *tzid, int64_t t);
/* A file's size as people read it, with the exact count of bytes for a comparison with their copy:
 * "512 bytes", "2.5 KB (2560 bytes)", "1.2 MB (1258291 bytes)", the decimal separator the translation's. */
const char *page_file_size(struct request *r, size_t size);

#endif
