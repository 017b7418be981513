/* secret — see secret.h. */
#include "util/secret.h"

#include <sodium.h>
#include <string.h>

static void (*on_hash)(void *);
static void *on_hash_arg;

int secret_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void secret_token(char out[SECRET_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	/* The first character is the top 6 bits of the first byte; 62 ("-") is drawn again, so that a token is
	 * never read as an option on a command line (1 bit in 2^6 of one character: the token keeps 255.97 bits
	 * of its 256). */
	do
		randombytes_buf(raw, sizeof raw);
	while ((raw[0] >> 2) == 62);
	sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void secret_mac(const unsigned char key[SECRET_KEY_LEN], const char *message, char out[SECRET_TOKEN_LEN + 1])
{
	_Static_assert(SECRET_KEY_LEN == crypto_auth_hmacsha256_KEYBYTES, "key size");
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)message, strlen(message), key);
	sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void secret_key_hex(char out[2 * SECRET_KEY_LEN + 1])
{
	secret_hex(SECRET_KEY_LEN, out);
}

int secret_key_from_hex(const char *hex, unsigned char key[SECRET_KEY_LEN])
{
	size_t n = 0;
	if (!hex || strlen(hex) != 2 * SECRET_KEY_LEN ||
	    sodium_hex2bin(key, SECRET_KEY_LEN, hex, strlen(hex), NULL, &n, NULL) != 0 || n != SECRET_KEY_LEN)
		return -1;
	return 0;
}

void secret_on_password_hash(void (*fn)(void *), void *arg)
{
	on_hash = fn;
	on_hash_arg = arg;
}

void secret_hash(const char *token, char out[SECRET_HASH_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, SECRET_HASH_LEN + 1, digest, sizeof digest);
}

void secret_hex(size_t n, char *out)
{
	unsigned char raw[64];
	if (n > sizeof raw)
		n = sizeof raw;
	randombytes_buf(raw, n);
	sodium_bin2hex(out, 2 * n + 1, raw, n);
}

int secret_password_hash(const char *password, char out[SECRET_PWHASH_LEN])
{
	_Static_assert(SECRET_PWHASH_LEN == crypto_pwhash_STRBYTES, "hash buffer size");
	if (on_hash)
		on_hash(on_hash_arg);
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0
		       ? 0
		       : -1;
}

bool secret_password_check(const char *hash, const char *password)
{
	return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}
