#ifndef TRIBUTARY_CCRYPTOSHIM_H
#define TRIBUTARY_CCRYPTOSHIM_H
#include <openssl/sha.h>
#endif
