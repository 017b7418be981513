/*
 * config — the settings read once at start-up and then only read.
 *
 * main.c fills it from the command line before any thread starts; after
 * config_freeze() nothing changes it, so threads read it without locks.
 */
#ifndef CONSULTA_CORE_CONFIG_H
#define CONSULTA_CORE_CONFIG_H

#include "store/db.h"
#include "util/error.h"
#include "util/secret.h"

#include <stdbool.h>

struct config {
	const char *public_url; /* how people reach us, no trailing slash: links in mails */
	const char *mail_from;  /* the From of every mail */
	bool secure_cookies;    /* public_url is https */
	/* files with a contribution by the web form or the API (core/attachment.h) */
	const char *clamd_socket;  /* clamd's local socket, or NULL: files are held for scanning */
	int attachment_max_size;   /* bytes of one file, at most LIMIT_ATTACHMENT */
	int attachment_max_count;  /* files with one contribution, at most LIMIT_ATTACHMENTS */
	bool has_csrf_key;      /* config_load_secrets() has run */
	unsigned char csrf_key[SECRET_KEY_LEN]; /* the key of the CSRF tokens (web/auth.c) */
};

const struct config *config_get(void);
/* Sets the values (copies the pointers: they must live as long as the program). */
void config_set(const char *public_url, const char *mail_from);
/* Sets the attachments' settings (NULL, 0: keep the default); false if a number is beyond its limit. */
bool config_set_attachments(const char *clamd_socket, int max_size, int max_count);
/* Bytes of a request body that carries the configured attachments (base64 or a multipart form), beside the
 * fields: the limit of the routes that take files. */
size_t config_body_limit_files(void);
/* Reads this installation's secrets from the database, making them at the
 * first start (the server_secret table). Call before threads start. */
int config_load_secrets(struct db *db, struct error *e);

#endif
