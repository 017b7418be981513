/* config — see config.h. */
#include "core/config.h"

#include <string.h>

static struct config config = {
	.public_url = "http://127.0.0.1:8080",
	.mail_from = "consulta@localhost",
	.secure_cookies = false,
};

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
