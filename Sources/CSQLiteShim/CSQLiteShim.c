#include "CSQLiteShim.h"
#include <CLazyLibrary.h>

/* SQLite is opened on first use (see CLazyLibrary.h): `extract`, `parse` and `check` never touch a
   database. The functions Tributary calls are defined here and forward to it. */
static struct tributary_library sqlite = TRIBUTARY_LIBRARY("libsqlite3.so.0", "libsqlite3-0");
#define FORWARD(type, name) TRIBUTARY_FORWARD(sqlite, type, name)

int sqlite3_open_v2(const char *file, sqlite3 **db, int flags, const char *vfs) {
    FORWARD(int (*sqlite3_open_v2_type)(const char *, sqlite3 **, int, const char *), sqlite3_open_v2) return target(file, db, flags, vfs);
}
int sqlite3_open(const char *file, sqlite3 **db) { FORWARD(int (*sqlite3_open_type)(const char *, sqlite3 **), sqlite3_open) return target(file, db); }
int sqlite3_close(sqlite3 *db) { FORWARD(int (*sqlite3_close_type)(sqlite3 *), sqlite3_close) return target(db); }
int sqlite3_close_v2(sqlite3 *db) { FORWARD(int (*sqlite3_close_v2_type)(sqlite3 *), sqlite3_close_v2) return target(db); }
int sqlite3_busy_timeout(sqlite3 *db, int ms) { FORWARD(int (*sqlite3_busy_timeout_type)(sqlite3 *, int), sqlite3_busy_timeout) return target(db, ms); }
int sqlite3_changes(sqlite3 *db) { FORWARD(int (*sqlite3_changes_type)(sqlite3 *), sqlite3_changes) return target(db); }
int sqlite3_get_autocommit(sqlite3 *db) { FORWARD(int (*sqlite3_get_autocommit_type)(sqlite3 *), sqlite3_get_autocommit) return target(db); }
const char *sqlite3_errmsg(sqlite3 *db) { FORWARD(const char *(*sqlite3_errmsg_type)(sqlite3 *), sqlite3_errmsg) return target(db); }
int sqlite3_extended_errcode(sqlite3 *db) { FORWARD(int (*sqlite3_extended_errcode_type)(sqlite3 *), sqlite3_extended_errcode) return target(db); }
int sqlite3_extended_result_codes(sqlite3 *db, int on) { FORWARD(int (*sqlite3_extended_result_codes_type)(sqlite3 *, int), sqlite3_extended_result_codes) return target(db, on); }
sqlite3_int64 sqlite3_last_insert_rowid(sqlite3 *db) { FORWARD(sqlite3_int64 (*sqlite3_last_insert_rowid_type)(sqlite3 *), sqlite3_last_insert_rowid) return target(db); }
void sqlite3_free(void *p) { FORWARD(void (*sqlite3_free_type)(void *), sqlite3_free) target(p); }
int sqlite3_exec(sqlite3 *db, const char *sql, int (*callback)(void *, int, char **, char **), void *context, char **error) {
    FORWARD(int (*sqlite3_exec_type)(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **), sqlite3_exec)
    return target(db, sql, callback, context, error);
}
int sqlite3_prepare_v3(sqlite3 *db, const char *sql, int bytes, unsigned int flags, sqlite3_stmt **statement, const char **tail) {
    FORWARD(int (*sqlite3_prepare_v3_type)(sqlite3 *, const char *, int, unsigned int, sqlite3_stmt **, const char **), sqlite3_prepare_v3)
    return target(db, sql, bytes, flags, statement, tail);
}
int sqlite3_step(sqlite3_stmt *s) { FORWARD(int (*sqlite3_step_type)(sqlite3_stmt *), sqlite3_step) return target(s); }
int sqlite3_reset(sqlite3_stmt *s) { FORWARD(int (*sqlite3_reset_type)(sqlite3_stmt *), sqlite3_reset) return target(s); }
int sqlite3_finalize(sqlite3_stmt *s) { FORWARD(int (*sqlite3_finalize_type)(sqlite3_stmt *), sqlite3_finalize) return target(s); }
int sqlite3_clear_bindings(sqlite3_stmt *s) { FORWARD(int (*sqlite3_clear_bindings_type)(sqlite3_stmt *), sqlite3_clear_bindings) return target(s); }
int sqlite3_bind_double(sqlite3_stmt *s, int i, double v) { FORWARD(int (*sqlite3_bind_double_type)(sqlite3_stmt *, int, double), sqlite3_bind_double) return target(s, i, v); }
int sqlite3_bind_int64(sqlite3_stmt *s, int i, sqlite3_int64 v) { FORWARD(int (*sqlite3_bind_int64_type)(sqlite3_stmt *, int, sqlite3_int64), sqlite3_bind_int64) return target(s, i, v); }
int sqlite3_bind_null(sqlite3_stmt *s, int i) { FORWARD(int (*sqlite3_bind_null_type)(sqlite3_stmt *, int), sqlite3_bind_null) return target(s, i); }
int sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*destructor)(void *)) {
    FORWARD(int (*sqlite3_bind_text_type)(sqlite3_stmt *, int, const char *, int, void (*)(void *)), sqlite3_bind_text) return target(s, i, v, n, destructor);
}
int sqlite3_column_count(sqlite3_stmt *s) { FORWARD(int (*sqlite3_column_count_type)(sqlite3_stmt *), sqlite3_column_count) return target(s); }
int sqlite3_column_bytes(sqlite3_stmt *s, int i) { FORWARD(int (*sqlite3_column_bytes_type)(sqlite3_stmt *, int), sqlite3_column_bytes) return target(s, i); }
int sqlite3_bind_blob(sqlite3_stmt *s, int i, const void *v, int n, void (*destructor)(void *)) {
    FORWARD(int (*sqlite3_bind_blob_type)(sqlite3_stmt *, int, const void *, int, void (*)(void *)), sqlite3_bind_blob) return target(s, i, v, n, destructor);
}
const void *sqlite3_column_blob(sqlite3_stmt *s, int i) {
    FORWARD(const void *(*sqlite3_column_blob_type)(sqlite3_stmt *, int), sqlite3_column_blob) return target(s, i);
}
int sqlite3_column_type(sqlite3_stmt *s, int i) { FORWARD(int (*sqlite3_column_type_type)(sqlite3_stmt *, int), sqlite3_column_type) return target(s, i); }
double sqlite3_column_double(sqlite3_stmt *s, int i) { FORWARD(double (*sqlite3_column_double_type)(sqlite3_stmt *, int), sqlite3_column_double) return target(s, i); }
sqlite3_int64 sqlite3_column_int64(sqlite3_stmt *s, int i) { FORWARD(sqlite3_int64 (*sqlite3_column_int64_type)(sqlite3_stmt *, int), sqlite3_column_int64) return target(s, i); }
const char *sqlite3_column_name(sqlite3_stmt *s, int i) { FORWARD(const char *(*sqlite3_column_name_type)(sqlite3_stmt *, int), sqlite3_column_name) return target(s, i); }
const unsigned char *sqlite3_column_text(sqlite3_stmt *s, int i) {
    FORWARD(const unsigned char *(*sqlite3_column_text_type)(sqlite3_stmt *, int), sqlite3_column_text) return target(s, i);
}
