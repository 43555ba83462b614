#define OPENSSL_SUPPRESS_DEPRECATED
#include "CCryptoShim.h"
#include <CLazyLibrary.h>

/* libcrypto is opened on first use (see CLazyLibrary.h): only content fingerprints need it. */
static struct tributary_library crypto = TRIBUTARY_LIBRARY("libcrypto.so.3", "libssl3");

/* SHA-256 of two byte ranges in a row, through the plain digest functions: the one-shot SHA256() of
   OpenSSL 3 looks its algorithm up in the provider table on every call (a lock and a hash look-up),
   which cost as much as hashing a 500-byte text, and the caller would have to join the ranges first. */
void tributary_sha256_two(const void *first, size_t first_count, const void *second, size_t second_count,
                          unsigned char *digest) {
    SHA256_CTX context;
    {
        TRIBUTARY_FORWARD(crypto, int (*SHA256_Init_type)(SHA256_CTX *), SHA256_Init)
        target(&context);
    }
    {
        TRIBUTARY_FORWARD(crypto, int (*SHA256_Update_type)(SHA256_CTX *, const void *, size_t), SHA256_Update)
        target(&context, first, first_count);
        target(&context, second, second_count);
    }
    {
        TRIBUTARY_FORWARD(crypto, int (*SHA256_Final_type)(unsigned char *, SHA256_CTX *), SHA256_Final)
        target(digest, &context);
    }
}
