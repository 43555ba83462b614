#include "CMicroHTTPDShim.h"
#include <malloc.h>
#include <CLazyLibrary.h>

/* libmicrohttpd is opened on first use (see CLazyLibrary.h): only `run` with [serve] needs it. The
   functions Tributary calls are defined here and forward to it. */
static struct tributary_library mhd = TRIBUTARY_LIBRARY("libmicrohttpd.so.12", "libmicrohttpd12");
#define FORWARD(type, name) TRIBUTARY_FORWARD(mhd, type, name)

void MHD_stop_daemon(struct MHD_Daemon *daemon) { FORWARD(void (*MHD_stop_daemon_type)(struct MHD_Daemon *), MHD_stop_daemon) target(daemon); }
const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key) {
    FORWARD(const char *(*MHD_lookup_connection_value_type)(struct MHD_Connection *, enum MHD_ValueKind, const char *), MHD_lookup_connection_value)
    return target(connection, kind, key);
}
enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status, struct MHD_Response *response) {
    FORWARD(enum MHD_Result (*MHD_queue_response_type)(struct MHD_Connection *, unsigned int, struct MHD_Response *), MHD_queue_response)
    return target(connection, status, response);
}
struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode) {
    FORWARD(struct MHD_Response *(*MHD_create_response_from_buffer_type)(size_t, void *, enum MHD_ResponseMemoryMode), MHD_create_response_from_buffer)
    return target(size, buffer, mode);
}
void MHD_destroy_response(struct MHD_Response *response) { FORWARD(void (*MHD_destroy_response_type)(struct MHD_Response *), MHD_destroy_response) target(response); }
enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header, const char *content) {
    FORWARD(enum MHD_Result (*MHD_add_response_header_type)(struct MHD_Response *, const char *, const char *), MHD_add_response_header)
    return target(response, header, content);
}

typedef struct MHD_Daemon *(*start_daemon_fn)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback, void *, ...);

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
    FORWARD(start_daemon_fn MHD_start_daemon_type, MHD_start_daemon)
    return target(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                            handler, context, MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

void tributary_release_free_memory(void) {
    malloc_trim(0);
}
