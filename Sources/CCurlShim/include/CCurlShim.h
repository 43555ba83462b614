#ifndef TRIBUTARY_CCURLSHIM_H
#define TRIBUTARY_CCURLSHIM_H
#include <curl/curl.h>

/* curl_easy_setopt / getinfo are variadic; Swift needs one typed entry point per argument kind. */
CURLcode tributary_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode tributary_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode tributary_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode tributary_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode tributary_setopt_write_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode tributary_setopt_header_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode tributary_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode tributary_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLMcode tributary_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
#endif
