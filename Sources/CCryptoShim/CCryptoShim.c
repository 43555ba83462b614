#include "CCryptoShim.h"
#include <CLazyLibrary.h>

/* libcrypto is opened on first use (see CLazyLibrary.h): only content fingerprints need it. */
static struct tributary_library crypto = TRIBUTARY_LIBRARY("libcrypto.so.3", "libssl3");

unsigned char *SHA256(const unsigned char *data, size_t count, unsigned char *digest) {
    TRIBUTARY_FORWARD(crypto, unsigned char *(*SHA256_type)(const unsigned char *, size_t, unsigned char *), SHA256)
    return target(data, count, digest);
}
