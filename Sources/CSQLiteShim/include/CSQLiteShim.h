#ifndef TRIBUTARY_CSQLITESHIM_H
#define TRIBUTARY_CSQLITESHIM_H
#include <sqlite3.h>
#endif
