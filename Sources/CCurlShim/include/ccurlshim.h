// Typed wrappers around libcurl's variadic and union-returning calls, which Swift cannot
// import (curl_easy_setopt, curl_easy_getinfo, curl_multi_setopt, CURLMsg's union).
// One function per argument kind; pointers never outlive the call that passes them unless
// libcurl's documentation says the option keeps them (the caller owns those).
#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <curl/curl.h>

/// The signature libcurl uses for both CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
typedef size_t (*ccurlshim_data_callback)(char *data, size_t size, size_t count, void *userdata);

/// Calls curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process (it is not
/// thread-safe on older libcurls) and returns its result on every call.
CURLcode ccurlshim_global_init_once(void);

CURLcode ccurlshim_easy_setopt_long(CURL *easy, CURLoption option, long value);
CURLcode ccurlshim_easy_setopt_off(CURL *easy, CURLoption option, curl_off_t value);
/// libcurl copies string options (except CURLOPT_POSTFIELDS, which this shim never sets).
CURLcode ccurlshim_easy_setopt_string(CURL *easy, CURLoption option, const char *value);
/// For options that keep the pointer (userdata, header lists, error buffers): the caller
/// keeps it alive until the transfer is removed from its multi handle.
CURLcode ccurlshim_easy_setopt_pointer(CURL *easy, CURLoption option, void *value);
CURLcode ccurlshim_easy_setopt_data_callback(CURL *easy, CURLoption option, ccurlshim_data_callback callback);

CURLcode ccurlshim_easy_getinfo_long(CURL *easy, CURLINFO info, long *value);

CURLMcode ccurlshim_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/// Reads the next finished transfer from curl_multi_info_read: returns 1 and fills `easy`
/// and `result`, or 0 when there is none left.
int ccurlshim_multi_next_done(CURLM *multi, CURL **easy, CURLcode *result);

/// The size libcurl expects for CURLOPT_ERRORBUFFER.
size_t ccurlshim_error_size(void);
#endif
