// LazyCurl: libcurl's entry points that FoundationNetworking's transport (_CFURLSessionInterface)
// calls, defined in the release executable so that it needs no libcurl at start-up; the first
// call loads libcurl (dlopen) and forwards. Nothing to call from Swift: the linker resolves
// those names here instead of in libcurl. See LazyCurl.c.
#ifndef LAZY_CURL_H
#define LAZY_CURL_H
#endif
