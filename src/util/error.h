/*
 * error — errors as values.
 *
 * A function that can fail returns -1 and fills a struct error: a stable
 * machine code (the API's "code"), a sentence for a person saying what to
 * fix, and, for bad input, one message per offending field. Library code
 * never prints or exits; the channel (web page, API, mail) decides how to
 * show the error.
 */
#ifndef CONSULTA_UTIL_ERROR_H
#define CONSULTA_UTIL_ERROR_H

#include <stdbool.h>

/* A message is a sentence in the reader's language (util/i18n.h): 512 bytes hold the longest of ours in
 * Cyrillic or Arabic letters (two bytes each) with its values; a longer one is cut at a character. */
enum { ERROR_MAX_FIELDS = 16, ERROR_MESSAGE_LEN = 512 };

/* The codes; each channel maps them to its own answer (HTTP status, exit code). */
#define ERROR_INVALID "invalid"           /* bad input: see fields */
#define ERROR_NOT_FOUND "not_found"
#define ERROR_CALL_CLOSED "call_closed"
#define ERROR_CALL_NOT_OPEN "call_not_open"
#define ERROR_CONFLICT "conflict"
#define ERROR_UNAVAILABLE "unavailable" /* temporary: try again */
#define ERROR_THROTTLED "throttled"     /* too many attempts or mails: wait */
#define ERROR_INTERNAL "internal"

struct error_field {
	char name[32];
	char message[ERROR_MESSAGE_LEN];
};

struct error {
	const char *code; /* NULL when there is no error */
	char message[ERROR_MESSAGE_LEN];
	/* The message was written for the person who asked (error_say), so a channel may show it even for a
	 * temporary failure; otherwise the message of a failure on our side (a database's words, a path) is
	 * for the log only, and the person is shown a request id instead. */
	bool for_people;
	int nfields;
	struct error_field fields[ERROR_MAX_FIELDS];
};

void error_clear(struct error *e);
void error_set(struct error *e, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* error_set() with a message meant for the person who asked, even with a code of failure on our side
 * (ERROR_UNAVAILABLE: "other documents are being converted; try again in a minute"). */
void error_say(struct error *e, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds a message for one field; sets the code to ERROR_INVALID if none is set yet. */
void error_field(struct error *e, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *error_field_message(const struct error *e, const char *field);

#endif
