/* site_page — see site_page.h. */
#include "core/site_page.h"

#include "core/field.h"
#include "core/limits.h"
#include "util/clock.h"
#include "util/i18n.h"

#include <jansson.h>
#include <string.h>

static const char *const NAMES[] = {[SITE_PAGE_ABOUT] = "about", [SITE_PAGE_PRIVACY] = "privacy"};
/* Marked for the catalogue; translated where shown (page_site.c). */
static const char *const TITLES[] = {[SITE_PAGE_ABOUT] = N_("About this site"),
                                     [SITE_PAGE_PRIVACY] = N_("Privacy notice")};

/* The default texts: what this program does, said plainly; the secretariat adds who it is and its rules. */
static const char *const DEFAULTS[] = {
    [SITE_PAGE_ABOUT] =
        "This site holds open consultations on draft texts. Each consultation is run by a body and its "
        "secretariat, named on the consultation's page, which also says what is asked and until when.\n\n"
        "## How to take part\n\n"
        "1. Read the draft. Its paragraphs are numbered (\xc2\xb6) so that everyone can refer to them.\n"
        "2. While a call for contributions is open, send your contribution with the form on the call's page "
        "before its deadline. Each page gives the deadline in the consultation's time zone, and in your own "
        "when your browser tells it.\n"
        "3. You get a tracking number at once, and a receipt by e-mail if you give an address.\n"
        "4. The secretariat publishes the contributions as each sender chose (with their name, without it, or "
        "not at all), and answers each comment.\n\n"
        "You can also follow a consultation by e-mail: a short notice when a new version is posted, a date "
        "moves, or a call opens, changes or is about to close.\n\n"
        "## Questions\n\n"
        "Write to the secretariat named on the consultation's page. How contributions and personal data are "
        "handled is explained in the [privacy notice](/privacy).\n",
    [SITE_PAGE_PRIVACY] =
        "## What is kept\n\n"
        "When you send a contribution, we keep what you send: your name, your organization (if any), the "
        "category of stakeholder and the country you chose, your e-mail address (if you give one), your text, "
        "your comments and their table, and the time it was received. A contribution sent by e-mail is kept "
        "with the message as it arrived and its attachments. When you follow a consultation, we keep your "
        "e-mail address; when you create an account, your name, your e-mail address and a hash of your "
        "password. The server's log records technical events, never the text of a contribution nor a "
        "password.\n\n"
        "## What is published\n\n"
        "You choose when you send a contribution:\n\n"
        "- **Named**: your text and comments are published with your name and organization, your category "
        "of stakeholder and your country.\n"
        "- **Anonymous**: your text and comments are published without your name and organization; your "
        "category of stakeholder and your country stay public.\n"
        "- **Private**: nothing of it is published; only the secretariat reads it.\n\n"
        "Your e-mail address is never published. The secretariat may withhold a contribution (spam, for "
        "instance). Its answers to the comments are published with the comments.\n\n"
        "## For how long\n\n"
        "Contributions are part of the record of the consultation and are kept with it, as long as the body "
        "that runs the consultation keeps its records. The address of a follower is kept until they stop "
        "following: every notice has a link to stop.\n\n"
        "## Who to ask\n\n"
        "To see, correct or withdraw what you sent, write to the secretariat named on the consultation's page "
        "and quote your tracking number.\n",
};

const char *site_page_name(enum site_page p)
{
	return NAMES[p];
}

bool site_page_parse(const char *name, enum site_page *out)
{
	for (size_t i = 0; name && i < sizeof NAMES / sizeof *NAMES; i++)
		if (!strcmp(name, NAMES[i])) {
			*out = (enum site_page)i;
			return true;
		}
	return false;
}

const char *site_page_title(enum site_page p)
{
	return TITLES[p];
}

static int markdown_from_row(struct arena *a, struct db_stmt *st, void *element)
{
	bool failed = false;
	*(const char **)element = db_col_dup(st, 0, a, &failed);
	return failed ? -1 : 0;
}

int site_page_get(struct db *db, struct arena *a, enum site_page p, const char **markdown, bool *edited,
                  struct error *e)
{
	static const char sql[] = "SELECT markdown FROM site_page WHERE name = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, NAMES[p]);
	struct error none;
	error_clear(&none);
	if (db_collect_one(st, a, markdown, markdown_from_row, "none", &none) == 0) {
		*edited = true;
		return 0;
	}
	if (none.code && strcmp(none.code, ERROR_NOT_FOUND)) {
		*e = none;
		return -1;
	}
	*markdown = DEFAULTS[p];
	*edited = false;
	return 0;
}

int site_page_set(struct db *db, struct arena *a, const struct actor *who, enum site_page p, const char *markdown,
                  struct error *e)
{
	const char *text = field_trimmed(a, markdown);
	if (!markdown)
		error_field(e, "markdown", _("Give the text of the page, in Markdown (empty: the default text)."));
	else if (text && *text)
		field_check_text(e, "markdown", text, false, LIMIT_SITE_PAGE, N_("the text of the page"));
	if (e->code)
		return -1;
	const bool to_default = !text || !*text;
	static const char sql_set[] = "INSERT INTO site_page (name, markdown, updated_at) VALUES (?, ?, ?) "
	                              "ON CONFLICT (name) DO UPDATE SET markdown = excluded.markdown, "
	                              "updated_at = excluded.updated_at";
	static const char sql_default[] = "DELETE FROM site_page WHERE name = ?";
	if (db_begin(db, e) != 0)
		return -1;
	const char *before;
	bool edited;
	if (site_page_get(db, a, p, &before, &edited, e) != 0)
		goto fail;
	const char *after = to_default ? DEFAULTS[p] : text;
	if (!strcmp(before, after) && edited == !to_default) {
		db_rollback(db); /* nothing changed: nothing to record */
		return 0;
	}
	struct db_stmt *st = db_stmt(db, to_default ? sql_default : sql_set, e);
	if (!st)
		goto fail;
	db_bind_text(st, 1, NAMES[p]);
	if (!to_default) {
		db_bind_text(st, 2, text);
		db_bind_int(st, 3, clock_now());
	}
	if (db_exec_stmt(st, e) != 0)
		goto fail;
	const char *object = arena_printf(a, "site_page:%s", NAMES[p]);
	if (audit_record(db, who, 0, "site_page.update", object,
	                 audit_json(a, json_pack("{s:s,s:b}", "markdown", before, "default", !edited)),
	                 audit_json(a, json_pack("{s:s,s:b}", "markdown", after, "default", to_default)), e) != 0 ||
	    db_commit(db, e) != 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}
