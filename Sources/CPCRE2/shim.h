// Makes libpcre2-8 importable from Swift.
//
// pcre2.h refuses to compile unless the code unit width is chosen first; we only ever use the
// 8-bit library. The generic names (pcre2_compile, …) are macros Swift cannot import, so Swift
// calls the `_8` functions directly. Values that are macros of type size_t are exposed through
// static inline functions: a `static const PCRE2_SIZE` would overflow when imported as Int.
#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/// PCRE2_ZERO_TERMINATED, which is ~(size_t)0 and cannot be imported as a constant.
static inline PCRE2_SIZE cpcre2_zero_terminated(void) { return PCRE2_ZERO_TERMINATED; }

/// PCRE2_UNSET, the value of an unset ovector slot (also ~(size_t)0).
static inline PCRE2_SIZE cpcre2_unset(void) { return PCRE2_UNSET; }

#endif
