/*
 * config — the settings read once at start-up and then only read.
 *
 * main.c fills it from the command line before any thread starts; after
 * config_freeze() nothing changes it, so threads read it without locks.
 */
#ifndef CONSULTA_CORE_CONFIG_H
#define CONSULTA_CORE_CONFIG_H

#include <stdbool.h>

struct config {
	const char *public_url; /* how people reach us, no trailing slash: links in mails */
	const char *mail_from;  /* the From of every mail */
	bool secure_cookies;    /* public_url is https */
};

const struct config *config_get(void);
/* Sets the values (copies the pointers: they must live as long as the program). */
void config_set(const char *public_url, const char *mail_from);

#endif
