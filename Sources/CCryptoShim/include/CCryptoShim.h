#ifndef TRIBUTARY_CCRYPTOSHIM_H
#define TRIBUTARY_CCRYPTOSHIM_H
#include <openssl/sha.h>
#include <stddef.h>

/* SHA-256 of `first` then `second`, into the 32 bytes at `digest`. */
void tributary_sha256_two(const void *first, size_t first_count, const void *second, size_t second_count,
                          unsigned char *digest);
#endif
