/*
 * secret — random tokens and what is stored of them (libsodium).
 *
 * A token (session, API, one-time link) is 32 random bytes written in
 * base64url; only its SHA-256, in hex, is stored, so the database alone
 * never lets anyone in. Passwords are hashed with Argon2id. A token never
 * starts with "-", so that a command line never takes one for an option.
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
	SECRET_KEY_LEN = 32,     /* a server key (HMAC-SHA256) */
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

/* HMAC-SHA256 of message under a 32-byte key, in base64url like a token. */
void secret_mac(const unsigned char key[SECRET_KEY_LEN], const char *message, char out[SECRET_TOKEN_LEN + 1]);
/* A new random key, in hex (2 * SECRET_KEY_LEN characters), for the database. */
void secret_key_hex(char out[2 * SECRET_KEY_LEN + 1]);
/* Reads a key written by secret_key_hex(); -1 if it is not one. */
int secret_key_from_hex(const char *hex, unsigned char key[SECRET_KEY_LEN]);

/* For tests: fn(arg) runs before every password hash, so that a test can
 * check that two paths do the same work and that no write lock is held
 * while hashing. NULL removes it. Set it before threads start. */
void secret_on_password_hash(void (*fn)(void *), void *arg);

/* Constant-time comparison of two strings. */
bool secret_equal(const char *a, const char *b);

#endif
