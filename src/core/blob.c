/* blob — see blob.h. */
#include "core/blob.h"

#include "util/i18n.h"

#include <sodium.h>
#include <string.h>

void blob_name(const void *data, size_t n, char out[BLOB_NAME_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data, n);
	sodium_bin2hex(out, BLOB_NAME_LEN + 1, digest, sizeof digest);
}

int blob_put(struct db *db, const void *data, size_t n, char out[BLOB_NAME_LEN + 1], struct error *e)
{
	blob_name(data, n, out);
	/* The name is the content: a row that is there already holds these very bytes. */
	static const char sql[] =
	    "INSERT INTO blob (sha256, size, data) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, out);
	db_bind_int(st, 2, (int64_t)n);
	db_bind_blob(st, 3, data, n);
	return db_exec_stmt(st, e);
}

int blob_get(struct db *db, struct arena *a, const char *name, const void **data, size_t *n, struct error *e)
{
	static const char sql[] = "SELECT data FROM blob WHERE sha256 = ?";
	struct db_stmt *st = db_stmt(db, sql, e);
	if (!st)
		return -1;
	db_bind_text(st, 1, name);
	enum db_step r = db_step(st, e);
	if (r != DB_ROW) {
		if (r == DB_DONE)
			error_set(e, ERROR_NOT_FOUND, _("There is no such file."));
		return -1;
	}
	size_t len;
	const void *p = db_col_blob(st, 0, &len);
	void *copy = arena_alloc(a, len + 1);
	if (!copy) {
		db_reset(st);
		error_set(e, ERROR_UNAVAILABLE, "out of memory");
		return -1;
	}
	if (len)
		memcpy(copy, p, len);
	db_reset(st);
	*data = copy;
	*n = len;
	return 0;
}
