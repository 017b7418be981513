/* checksrc case: util includes nothing of ours but util. */
/* clang-format off */
#include "util/arena.h"
#include "store/db.h" /* expect: include */
#include <stdio.h>
