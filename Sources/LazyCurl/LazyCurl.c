// libcurl, loaded on first use.
//
// The release executable links Foundation and FoundationNetworking statically (Package.swift,
// `staticRuntime`). Linked against libcurl, it made the dynamic loader map libcurl and its ~30
// dependencies (TLS, Kerberos, LDAP, IDN…) at every start-up, while only the network commands
// (`watch --space`, `doctor`, `heal`, `fleet`) use URLSession. Instead, the executable defines
// the libcurl functions that _CFURLSessionInterface calls (below): the first of them loads
// libcurl with `dlopen` and each forwards to the real function. URLSession, and so redirects,
// TLS and timeouts, are libcurl's and Foundation's as before.
//
// Compiled only where `staticRuntime` applies (Linux release, LAZY_CURL defined by
// Package.swift); elsewhere FoundationNetworking is a shared library that links libcurl itself.
#if defined(LAZY_CURL)

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

// libcurl's types as its ABI has them (curl/curl.h, multi.h, urlapi.h), declared here rather
// than included: the header's prototypes vary a little between libcurl versions (`const`), the
// ABI does not. Handles are opaque; the enums (codes, options, infos, URL parts) are ints.
typedef void CURL;
typedef void CURLM;
typedef void CURLU;
typedef void CURLMsg;
typedef void curl_version_info_data;
typedef struct curl_slist curl_slist;
typedef int CURLcode;
typedef int CURLMcode;
typedef int CURLUcode;
typedef int CURLoption;
typedef int CURLMoption;
typedef int CURLINFO;
typedef int CURLUPart;
typedef int CURLversion;
typedef int curl_socket_t;
typedef long long curl_off_t;

// How an option's number says the type of its argument (curl.h, CURLOPTTYPE_*).
enum { CURLOPTTYPE_OBJECTPOINT = 10000, CURLOPTTYPE_OFF_T = 30000, CURLOPTTYPE_BLOB = 40000 };

// The real functions, resolved once (`load`).
static struct {
  CURLcode (*global_init)(long);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *);
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  CURLcode (*easy_pause)(CURL *, int);
  const char *(*easy_strerror)(CURLcode);
  void (*free)(void *);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_cleanup)(CURLM *);
  CURLMcode (*multi_add_handle)(CURLM *, CURL *);
  CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
  CURLMcode (*multi_assign)(CURLM *, curl_socket_t, void *);
  CURLMsg *(*multi_info_read)(CURLM *, int *);
  CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
  CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
  curl_slist *(*slist_append)(curl_slist *, const char *);
  void (*slist_free_all)(curl_slist *);
  CURLU *(*url)(void);
  CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
  CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
  char *(*version)(void);
  curl_version_info_data *(*version_info)(CURLversion);
} real;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;

// A network command without libcurl cannot go on: says so and exits with EX_UNAVAILABLE (69).
static void unavailable(const char *what) {
  fprintf(stderr, "space-triage: libcurl is needed for network access: %s\n", what);
  _exit(69);
}

static void *symbol(void *library, const char *name) {
  void *address = dlsym(library, name);
  if (address == NULL) {
    const char *error = dlerror();
    unavailable(error != NULL ? error : name);
  }
  return address;
}

static void load(void) {
  void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *error = dlerror();
    unavailable(error != NULL ? error : "libcurl.so.4");
  }
#define LAZY_CURL_RESOLVE(field, name) *(void **)(&real.field) = symbol(library, name)
  LAZY_CURL_RESOLVE(global_init, "curl_global_init");
  LAZY_CURL_RESOLVE(easy_init, "curl_easy_init");
  LAZY_CURL_RESOLVE(easy_cleanup, "curl_easy_cleanup");
  LAZY_CURL_RESOLVE(easy_setopt, "curl_easy_setopt");
  LAZY_CURL_RESOLVE(easy_getinfo, "curl_easy_getinfo");
  LAZY_CURL_RESOLVE(easy_pause, "curl_easy_pause");
  LAZY_CURL_RESOLVE(easy_strerror, "curl_easy_strerror");
  LAZY_CURL_RESOLVE(free, "curl_free");
  LAZY_CURL_RESOLVE(multi_init, "curl_multi_init");
  LAZY_CURL_RESOLVE(multi_cleanup, "curl_multi_cleanup");
  LAZY_CURL_RESOLVE(multi_add_handle, "curl_multi_add_handle");
  LAZY_CURL_RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
  LAZY_CURL_RESOLVE(multi_assign, "curl_multi_assign");
  LAZY_CURL_RESOLVE(multi_info_read, "curl_multi_info_read");
  LAZY_CURL_RESOLVE(multi_setopt, "curl_multi_setopt");
  LAZY_CURL_RESOLVE(multi_socket_action, "curl_multi_socket_action");
  LAZY_CURL_RESOLVE(slist_append, "curl_slist_append");
  LAZY_CURL_RESOLVE(slist_free_all, "curl_slist_free_all");
  LAZY_CURL_RESOLVE(url, "curl_url");
  LAZY_CURL_RESOLVE(url_get, "curl_url_get");
  LAZY_CURL_RESOLVE(url_set, "curl_url_set");
  LAZY_CURL_RESOLVE(version, "curl_version");
  LAZY_CURL_RESOLVE(version_info, "curl_version_info");
#undef LAZY_CURL_RESOLVE
}

#define LAZY_CURL_LOAD() pthread_once(&loaded, load)

CURLcode curl_global_init(long flags) {
  LAZY_CURL_LOAD();
  return real.global_init(flags);
}

CURL *curl_easy_init(void) {
  LAZY_CURL_LOAD();
  return real.easy_init();
}

void curl_easy_cleanup(CURL *handle) {
  LAZY_CURL_LOAD();
  real.easy_cleanup(handle);
}

// The one argument after the option has the type the option's number range names (curl.h,
// CURLOPTTYPE_*): a long, a pointer (object, string, list, callback data or function) or a
// curl_off_t. The same ranges number CURLMoption.
CURLcode curl_easy_setopt(CURL *handle, CURLoption option, ...) {
  LAZY_CURL_LOAD();
  va_list arguments;
  va_start(arguments, option);
  CURLcode code;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    code = real.easy_setopt(handle, option, va_arg(arguments, long));
  } else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
    code = real.easy_setopt(handle, option, va_arg(arguments, curl_off_t));
  } else {
    code = real.easy_setopt(handle, option, va_arg(arguments, void *));
  }
  va_end(arguments);
  return code;
}

// The argument after the info is always a pointer to where the value goes.
CURLcode curl_easy_getinfo(CURL *handle, CURLINFO info, ...) {
  LAZY_CURL_LOAD();
  va_list arguments;
  va_start(arguments, info);
  void *destination = va_arg(arguments, void *);
  va_end(arguments);
  return real.easy_getinfo(handle, info, destination);
}

CURLcode curl_easy_pause(CURL *handle, int bitmask) {
  LAZY_CURL_LOAD();
  return real.easy_pause(handle, bitmask);
}

const char *curl_easy_strerror(CURLcode code) {
  LAZY_CURL_LOAD();
  return real.easy_strerror(code);
}

void curl_free(void *pointer) {
  LAZY_CURL_LOAD();
  real.free(pointer);
}

CURLM *curl_multi_init(void) {
  LAZY_CURL_LOAD();
  return real.multi_init();
}

CURLMcode curl_multi_cleanup(CURLM *multi) {
  LAZY_CURL_LOAD();
  return real.multi_cleanup(multi);
}

CURLMcode curl_multi_add_handle(CURLM *multi, CURL *handle) {
  LAZY_CURL_LOAD();
  return real.multi_add_handle(multi, handle);
}

CURLMcode curl_multi_remove_handle(CURLM *multi, CURL *handle) {
  LAZY_CURL_LOAD();
  return real.multi_remove_handle(multi, handle);
}

CURLMcode curl_multi_assign(CURLM *multi, curl_socket_t socket, void *pointer) {
  LAZY_CURL_LOAD();
  return real.multi_assign(multi, socket, pointer);
}

CURLMsg *curl_multi_info_read(CURLM *multi, int *remaining) {
  LAZY_CURL_LOAD();
  return real.multi_info_read(multi, remaining);
}

CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...) {
  LAZY_CURL_LOAD();
  va_list arguments;
  va_start(arguments, option);
  CURLMcode code;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    code = real.multi_setopt(multi, option, va_arg(arguments, long));
  } else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
    code = real.multi_setopt(multi, option, va_arg(arguments, curl_off_t));
  } else {
    code = real.multi_setopt(multi, option, va_arg(arguments, void *));
  }
  va_end(arguments);
  return code;
}

CURLMcode curl_multi_socket_action(CURLM *multi, curl_socket_t socket, int mask, int *running) {
  LAZY_CURL_LOAD();
  return real.multi_socket_action(multi, socket, mask, running);
}

curl_slist *curl_slist_append(curl_slist *list, const char *string) {
  LAZY_CURL_LOAD();
  return real.slist_append(list, string);
}

void curl_slist_free_all(curl_slist *list) {
  LAZY_CURL_LOAD();
  real.slist_free_all(list);
}

CURLU *curl_url(void) {
  LAZY_CURL_LOAD();
  return real.url();
}

CURLUcode curl_url_get(CURLU *url, CURLUPart part, char **value, unsigned int flags) {
  LAZY_CURL_LOAD();
  return real.url_get(url, part, value, flags);
}

CURLUcode curl_url_set(CURLU *url, CURLUPart part, const char *value, unsigned int flags) {
  LAZY_CURL_LOAD();
  return real.url_set(url, part, value, flags);
}

char *curl_version(void) {
  LAZY_CURL_LOAD();
  return real.version();
}

curl_version_info_data *curl_version_info(CURLversion age) {
  LAZY_CURL_LOAD();
  return real.version_info(age);
}

#endif
