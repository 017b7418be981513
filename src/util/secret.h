/*
 * secret — random tokens and what is stored of them (libsodium).
 *
 * A token (session, API, one-time link) is 32 random bytes written in
 * base64url; only its SHA-256, in hex, is stored, so the database alone
 * never lets anyone in. Passwords are hashed with Argon2id.
 */
#ifndef CONSULTA_UTIL_SECRET_H
#define CONSULTA_UTIL_SECRET_H

#include <stdbool.h>
#include <stddef.h>

enum {
	SECRET_TOKEN_LEN = 43,   /* base64url of 32 bytes, no padding */
	SECRET_HASH_LEN = 64,    /* hex of SHA-256 */
	SECRET_PASSWORD_MIN = 10,
	SECRET_PASSWORD_MAX = 256,
	SECRET_PWHASH_LEN = 128, /* crypto_pwhash_STRBYTES */
};

/* Initializes libsodium; -1 if it cannot be used. Call once at start-up. */
int secret_init(void);

void secret_token(char out[SECRET_TOKEN_LEN + 1]);
void secret_hash(const char *token, char out[SECRET_HASH_LEN + 1]);
/* A random hex string of 2*n characters (Message-IDs and the like). */
void secret_hex(size_t n, char *out);

/* Argon2id with libsodium's interactive limits; -1 if memory is short. */
int secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN]);
bool secret_password_check(const char *hash, const char *password);

/* Constant-time comparison of two strings. */
bool secret_equal(const char *a, const char *b);

#endif
