/* checksrc case: web includes core and below, never mail. */
/* clang-format off */
#include "web/server.h"
#include "core/call.h"
#include "store/db.h"
#include "render/html.h"
#include "util/log.h"
#include "embedded.h"
#include "mail/sender.h" /* expect: include */
  #  include "mail/lmtp.h" /* expect: include */
