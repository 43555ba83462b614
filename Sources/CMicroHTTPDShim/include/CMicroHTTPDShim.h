#ifndef TRIBUTARY_CMICROHTTPDSHIM_H
#define TRIBUTARY_CMICROHTTPDSHIM_H
#include <stdint.h>
#include <stdarg.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/* MHD_start_daemon takes its options as C varargs, which Swift cannot pass: one typed entry point.
   The daemon serves the already-listening socket `listen_fd` from one internal epoll thread. */
struct MHD_Daemon *tributary_mhd_start(int listen_fd, MHD_AccessHandlerCallback handler, void *context,
                                       unsigned int connection_limit, unsigned int per_ip_limit,
                                       unsigned int timeout_seconds, size_t memory_limit);

/* glibc's malloc_trim: after a large document is rendered and published, give the freed heap back. */
void tributary_release_free_memory(void);
#endif
