#include "CMicroHTTPDShim.h"
#include <malloc.h>

struct MHD_Daemon *tributary_mhd_start(int listen_fd, MHD_AccessHandlerCallback handler, void *context,
                                       unsigned int connection_limit, unsigned int per_ip_limit,
                                       unsigned int timeout_seconds, size_t memory_limit) {
    struct MHD_OptionItem options[] = {
        { MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL },
        { MHD_OPTION_CONNECTION_LIMIT, connection_limit, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds, NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)memory_limit, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    /* port 0: the listening socket is ours (bound by Tributary or passed by systemd). */
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                            handler, context, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

void tributary_release_free_memory(void) {
    malloc_trim(0);
}
