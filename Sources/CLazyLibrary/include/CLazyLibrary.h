#ifndef TRIBUTARY_CLAZYLIBRARY_H
#define TRIBUTARY_CLAZYLIBRARY_H
#include <pthread.h>

/* A shared library opened on first use rather than at start-up. libcurl and libmicrohttpd, with the TLS,
   Kerberos and LDAP libraries they bring, cost about 14 ms of CPU to load; commands that never fetch or
   serve (`extract`, `parse`, `status`, `check`) do not pay it. */
struct tributary_library {
    const char *soname;
    const char *package;
    pthread_mutex_t lock;
    void *handle;
};
#define TRIBUTARY_LIBRARY(soname, package) { soname, package, PTHREAD_MUTEX_INITIALIZER, 0 }

/* The address of `name` in `library`, opening it if needed; a missing library or symbol stops the
   process with a message naming the package to install. */
void *tributary_library_symbol(struct tributary_library *library, const char *name);

/* Declares `target`, the function `name` of `library` with type `type` (written with `name##_type` as
   its name), resolved once; a race resolves the same address twice. */
#define TRIBUTARY_FORWARD(library, type, name) \
    typedef type; \
    static name##_type name##_target; \
    if (!__atomic_load_n(&name##_target, __ATOMIC_ACQUIRE)) \
        __atomic_store_n(&name##_target, (name##_type)tributary_library_symbol(&library, #name), __ATOMIC_RELEASE); \
    name##_type target = __atomic_load_n(&name##_target, __ATOMIC_ACQUIRE);
#endif
