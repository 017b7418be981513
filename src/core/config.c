/* config — see config.h. */
#include "core/config.h"

#include "core/limits.h"

#include <string.h>

static struct config config = {
	.public_url = "http://127.0.0.1:8080",
	.mail_from = "consulta@localhost",
	.secure_cookies = false,
	.attachment_max_size = LIMIT_ATTACHMENT_DEFAULT,
	.attachment_max_count = LIMIT_ATTACHMENTS_DEFAULT,
};

bool config_set_attachments(const char *clamd_socket, int max_size, int max_count)
{
	if (max_size < 0 || max_size > LIMIT_ATTACHMENT || max_count < 0 || max_count > LIMIT_ATTACHMENTS)
		return false;
	if (clamd_socket && *clamd_socket)
		config.clamd_socket = clamd_socket;
	if (max_size)
		config.attachment_max_size = max_size;
	if (max_count)
		config.attachment_max_count = max_count;
	return true;
}

size_t config_body_limit_files(void)
{
	/* base64 makes 4 bytes of 3, and a line end each 76 in MIME's way; each part has its own head */
	const size_t per_file = (size_t)config.attachment_max_size / 3 * 4 + (size_t)config.attachment_max_size / 57 * 2 +
				8 * 1024;
	return LIMIT_REQUEST_BODY + (size_t)config.attachment_max_count * per_file;
}

const struct config *config_get(void)
{
	return &config;
}

void config_set(const char *public_url, const char *mail_from)
{
	if (public_url)
		config.public_url = public_url;
	if (mail_from)
		config.mail_from = mail_from;
	config.secure_cookies = strncmp(config.public_url, "https://", 8) == 0;
}

int config_load_secrets(struct db *db, struct error *e)
{
	/* Two servers starting at once on one database both insert; the first one's key is everyone's. Only when
	 * there is none: an insert waits for the write lock, which another node's writer may hold for seconds. */
	static const char sql_make[] = "INSERT INTO server_secret (name, value) VALUES ('csrf', ?) "
				       "ON CONFLICT (name) DO NOTHING";
	static const char sql_read[] = "SELECT value FROM server_secret WHERE name = 'csrf'";
	const int kept = db_any_row(db, sql_read, e);
	if (kept < 0)
		return -1;
	struct db_stmt *st;
	if (!kept) {
		char hex[2 * SECRET_KEY_LEN + 1];
		secret_key_hex(hex);
		if (!(st = db_stmt(db, sql_make, e)))
			return -1;
		db_bind_text(st, 1, hex);
		if (db_exec_stmt(st, e) != 0)
			return -1;
	}
	if (!(st = db_stmt(db, sql_read, e)))
		return -1;
	int rc = -1;
	if (db_step(st, e) == DB_ROW) {
		if (secret_key_from_hex(db_col_text(st, 0), config.csrf_key) == 0) {
			config.has_csrf_key = true;
			rc = 0;
		} else {
			error_set(e, ERROR_INTERNAL, "The key in server_secret is damaged: delete its row to make a new one.");
		}
	} else if (!e->code) {
		error_set(e, ERROR_INTERNAL, "The server key could not be stored.");
	}
	db_reset(st);
	return rc;
}
