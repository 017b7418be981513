/* checksrc case: main.c may include every layer. */
/* clang-format off */
#include "core/call.h"
#include "mail/sender.h"
#include "web/server.h"
#include "store/db.h"
