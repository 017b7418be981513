// expect: header (a file must open with a /* comment */ saying what it is for)
#include "core/no_header.h"
