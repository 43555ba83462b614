#include "CCurlShim.h"
#include <CLazyLibrary.h>

/* libcurl is opened on first use (see CLazyLibrary.h). The functions Tributary calls are defined here and
   forward to it; the variadic ones are called through typed pointers below. */
static struct tributary_library curl = TRIBUTARY_LIBRARY("libcurl.so.4", "libcurl4");
#define FORWARD(type, name) TRIBUTARY_FORWARD(curl, type, name)

CURLcode curl_global_init(long flags) { FORWARD(CURLcode (*curl_global_init_type)(long), curl_global_init) return target(flags); }
CURL *curl_easy_init(void) { FORWARD(CURL *(*curl_easy_init_type)(void), curl_easy_init) return target(); }
void curl_easy_cleanup(CURL *handle) { FORWARD(void (*curl_easy_cleanup_type)(CURL *), curl_easy_cleanup) target(handle); }
const char *curl_easy_strerror(CURLcode code) { FORWARD(const char *(*curl_easy_strerror_type)(CURLcode), curl_easy_strerror) return target(code); }
CURLM *curl_multi_init(void) { FORWARD(CURLM *(*curl_multi_init_type)(void), curl_multi_init) return target(); }
CURLMcode curl_multi_cleanup(CURLM *multi) { FORWARD(CURLMcode (*curl_multi_cleanup_type)(CURLM *), curl_multi_cleanup) return target(multi); }
CURLMcode curl_multi_add_handle(CURLM *multi, CURL *handle) { FORWARD(CURLMcode (*curl_multi_add_handle_type)(CURLM *, CURL *), curl_multi_add_handle) return target(multi, handle); }
CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *handle) { FORWARD(CURLMcode (*curl_multi_remove_handle_type)(CURLM *, CURL *), curl_multi_remove_handle) return target(multi, handle); }
CURLMcode curl_multi_perform(CURLM *multi, int *running) { FORWARD(CURLMcode (*curl_multi_perform_type)(CURLM *, int *), curl_multi_perform) return target(multi, running); }
CURLMcode curl_multi_poll(CURLM *multi, struct curl_waitfd extra[], unsigned int count, int timeout, int *numfds) {
    FORWARD(CURLMcode (*curl_multi_poll_type)(CURLM *, struct curl_waitfd *, unsigned int, int, int *), curl_multi_poll)
    return target(multi, extra, count, timeout, numfds);
}
CURLMsg *curl_multi_info_read(CURLM *multi, int *queued) { FORWARD(CURLMsg *(*curl_multi_info_read_type)(CURLM *, int *), curl_multi_info_read) return target(multi, queued); }
struct curl_slist *curl_slist_append(struct curl_slist *list, const char *text) {
    FORWARD(struct curl_slist *(*curl_slist_append_type)(struct curl_slist *, const char *), curl_slist_append) return target(list, text);
}
void curl_slist_free_all(struct curl_slist *list) { FORWARD(void (*curl_slist_free_all_type)(struct curl_slist *), curl_slist_free_all) target(list); }

typedef CURLcode (*setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*getinfo_fn)(CURL *, CURLINFO, ...);
typedef CURLMcode (*multi_setopt_fn)(CURLM *, CURLMoption, ...);
static setopt_fn setopt(void) { FORWARD(setopt_fn curl_easy_setopt_type, curl_easy_setopt) return target; }
static getinfo_fn getinfo(void) { FORWARD(getinfo_fn curl_easy_getinfo_type, curl_easy_getinfo) return target; }
static multi_setopt_fn multi_setopt(void) { FORWARD(multi_setopt_fn curl_multi_setopt_type, curl_multi_setopt) return target; }

CURLcode tributary_setopt_long(CURL *handle, CURLoption option, long value) { return setopt()(handle, option, value); }
CURLcode tributary_setopt_string(CURL *handle, CURLoption option, const char *value) { return setopt()(handle, option, value); }
CURLcode tributary_setopt_pointer(CURL *handle, CURLoption option, void *value) { return setopt()(handle, option, value); }
CURLcode tributary_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) { return setopt()(handle, option, value); }
CURLcode tributary_setopt_write_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) { return setopt()(handle, CURLOPT_WRITEFUNCTION, callback); }
CURLcode tributary_setopt_header_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) { return setopt()(handle, CURLOPT_HEADERFUNCTION, callback); }
CURLcode tributary_getinfo_long(CURL *handle, CURLINFO info, long *value) { return getinfo()(handle, info, value); }
CURLcode tributary_getinfo_string(CURL *handle, CURLINFO info, char **value) { return getinfo()(handle, info, value); }
CURLMcode tributary_multi_setopt_long(CURLM *multi, CURLMoption option, long value) { return multi_setopt()(multi, option, value); }
