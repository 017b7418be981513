/* checksrc case: mail includes core and below, never web. */
/* clang-format off */
#include "mail/sender.h"
#include "core/outbox.h"
#include "web/request.h" /* expect: include */
