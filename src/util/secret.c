/* secret — see secret.h. */
#include "util/secret.h"

#include <sodium.h>
#include <string.h>

int secret_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void secret_token(char out[SECRET_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
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
