/* checksrc case: render includes only util (and itself). */
/* clang-format off */
#include "render/html.h"
#include "core/limits.h" /* expect: include */
#include "util/buf.h"
#include "embedded.h" /* expect: include */
// #include "web/request.h" in a comment is no include
#if 0
#endif
