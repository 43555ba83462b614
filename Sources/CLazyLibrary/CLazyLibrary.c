#include "CLazyLibrary.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void *tributary_library_symbol(struct tributary_library *library, const char *name) {
    pthread_mutex_lock(&library->lock);
    if (!library->handle) {
        library->handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL);
        if (!library->handle) {
            fprintf(stderr, "tributary: cannot load %s (install %s): %s\n", library->soname, library->package, dlerror());
            abort();
        }
    }
    pthread_mutex_unlock(&library->lock);
    void *symbol = dlsym(library->handle, name);
    if (!symbol) {
        fprintf(stderr, "tributary: %s has no %s\n", library->soname, name);
        abort();
    }
    return symbol;
}
