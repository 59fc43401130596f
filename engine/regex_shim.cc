// regex_shim.cc: the project's only C++, wrapping RE2 behind the C API of
// regex_shim.h.
//
// Every entry point catches all exceptions (std::bad_alloc from RE2's
// allocations, mostly) so that none ever unwinds into C frames.

#include "regex_shim.h"

#include <re2/re2.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

struct regex_prog {
    std::unique_ptr<RE2> re;
    int groups;
};

namespace
{

// RE2 as Go's regexp parses with syntax.Perl: Perl classes and flags, UTF-8,
// leftmost-first, `$` only at the end of text. dot_nl mirrors the `(?s:`
// wrapper for the bare check. The memory budget is raised above RE2's 8 MiB
// default because Go accepts large alternations that RE2 would refuse.
RE2::Options shim_options()
{
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingUTF8);
    o.set_posix_syntax(false);
    o.set_longest_match(false);
    o.set_log_errors(false);
    o.set_dot_nl(true);
    o.set_case_sensitive(true);
    o.set_max_mem(int64_t(64) << 20);
    return o;
}

// Go's syntax.ErrorCode texts, so that errors read as Prometheus's do.
const char *shim_go_code_text(RE2::ErrorCode code)
{
    switch (code) {
    case RE2::ErrorBadEscape:
        return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
        return "invalid character class";
    case RE2::ErrorBadCharRange:
        return "invalid character class range";
    case RE2::ErrorMissingBracket:
        return "missing closing ]";
    case RE2::ErrorMissingParen:
        return "missing closing )";
    case RE2::ErrorUnexpectedParen:
        return "unexpected )";
    case RE2::ErrorTrailingBackslash:
        return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
        return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
        return "invalid repeat count";
    case RE2::ErrorRepeatOp:
        return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
        return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
        return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
        return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
        return "expression too large";
    default:
        return "regexp/syntax: internal error";
    }
}

void shim_set_error(char *errbuf, size_t errcap, const char *code,
                    const char *arg, size_t arg_len)
{
    if (errbuf == nullptr || errcap == 0)
        return;
    int n = std::snprintf(errbuf, errcap, "error parsing regexp: %s: `", code);
    if (n < 0 || size_t(n) >= errcap)
        return;
    size_t pos = size_t(n);
    for (size_t i = 0; i < arg_len && pos + 1 < errcap; i++)
        errbuf[pos++] = arg[i];
    if (pos + 1 < errcap)
        errbuf[pos++] = '`';
    errbuf[pos] = '\0';
}

void shim_set_plain_error(char *errbuf, size_t errcap, const char *msg)
{
    if (errbuf != nullptr && errcap > 0)
        std::snprintf(errbuf, errcap, "%s", msg);
}

// Go rejects `\C` (match any byte), which RE2 accepts; a scan for an
// unescaped backslash before C keeps the two in agreement. Returns the offset
// of the backslash or -1.
ptrdiff_t shim_find_backslash_c(const char *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\\') {
            if (p[i + 1] == 'C')
                return ptrdiff_t(i);
            if (p[i + 1] == 'Q') {
                // \Q...\E quotes its text literally, backslashes included.
                const char *e = static_cast<const char *>(
                    memmem(p + i + 2, len - i - 2, "\\E", 2));
                if (e == nullptr)
                    return -1;
                i = size_t(e - p);
            }
            i++; // skip the escaped character
        }
    }
    return -1;
}

// Parses `pattern` alone; true when it is valid, else writes the error.
bool shim_check_bare(const char *pattern, size_t len, char *errbuf,
                     size_t errcap)
{
    ptrdiff_t bc = shim_find_backslash_c(pattern, len);
    if (bc >= 0) {
        shim_set_error(errbuf, errcap, "invalid escape sequence", pattern + bc,
                       2);
        return false;
    }
    RE2 bare(re2::StringPiece(pattern, len), shim_options());
    if (bare.ok())
        return true;
    const std::string &arg = bare.error_arg();
    shim_set_error(errbuf, errcap, shim_go_code_text(bare.error_code()),
                   arg.data(), arg.size());
    return false;
}

// Go's unicode.IsLetter / unicode.IsDigit for the first rune of s (which is
// not ASCII): returns its byte length when it is a letter or decimal digit,
// else 0. RE2's Unicode tables stand in for Go's.
size_t shim_name_rune(const char *s, size_t len)
{
    static const RE2 *name_rune = new RE2("[\\p{L}\\p{Nd}]", shim_options());
    re2::StringPiece text(s, len), m;
    if (!name_rune->Match(text, 0, len, RE2::ANCHOR_START, &m, 1))
        return 0;
    return m.size();
}

bool shim_is_ascii_name_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

// Go's extract(): a leading `name` or `{name}` of str (the `$` already
// consumed). On success sets *name/*name_len, *num (group number or -1 for a
// named reference) and *consumed, and returns true.
bool shim_extract(const char *str, size_t len, const char **name,
                  size_t *name_len, long *num, size_t *consumed)
{
    if (len == 0)
        return false;
    size_t start = 0;
    bool brace = false;
    if (str[0] == '{') {
        brace = true;
        start = 1;
    }
    size_t i = start;
    while (i < len) {
        unsigned char c = (unsigned char)str[i];
        if (c < 0x80) {
            if (!shim_is_ascii_name_byte(c))
                break;
            i++;
        } else {
            size_t n = shim_name_rune(str + i, len - i);
            if (n == 0)
                break;
            i += n;
        }
    }
    if (i == start)
        return false;
    *name = str + start;
    *name_len = i - start;
    if (brace) {
        if (i >= len || str[i] != '}')
            return false;
        i++;
    }
    long n = 0;
    for (size_t k = 0; k < *name_len; k++) {
        char c = (*name)[k];
        if (c < '0' || c > '9' || n >= 100000000L) {
            n = -1;
            break;
        }
        n = n * 10 + (c - '0');
    }
    if ((*name)[0] == '0' && *name_len > 1)
        n = -1; // Go disallows leading zeros
    *num = n;
    *consumed = i;
    return true;
}

void shim_append_group(std::string &dst, const char *src,
                       const ptrdiff_t *offsets, size_t n_offsets, long group)
{
    size_t k = size_t(group) * 2;
    if (k + 1 < n_offsets && offsets[k] >= 0)
        dst.append(src + offsets[k], size_t(offsets[k + 1] - offsets[k]));
}

char *shim_dup_string(const std::string &s, size_t *out_len)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr)
        return nullptr;
    if (!s.empty())
        std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    if (out_len != nullptr)
        *out_len = s.size();
    return p;
}

} // namespace

extern "C" regex_prog *regex_prog_compile(const char *pattern, size_t len,
                                          int flags, char *errbuf,
                                          size_t errcap)
{
    if (pattern == nullptr)
        pattern = "";
    try {
        if ((flags & REGEX_CHECK_BARE) &&
            !shim_check_bare(pattern, len, errbuf, errcap))
            return nullptr;
        std::string wrapped;
        wrapped.reserve(len + 8);
        wrapped.append("^(?s:");
        wrapped.append(pattern, len);
        wrapped.append(")$");
        std::unique_ptr<RE2> re(new RE2(wrapped, shim_options()));
        if (!re->ok()) {
            // Prefer the bare pattern's message: it names the user's text,
            // not our wrapper.
            if (shim_check_bare(pattern, len, errbuf, errcap)) {
                const std::string &arg = re->error_arg();
                shim_set_error(errbuf, errcap,
                               shim_go_code_text(re->error_code()), arg.data(),
                               arg.size());
            }
            return nullptr;
        }
        regex_prog *prog = new regex_prog;
        prog->groups = re->NumberOfCapturingGroups();
        prog->re = std::move(re);
        return prog;
    } catch (...) {
        shim_set_plain_error(errbuf, errcap, "out of memory compiling regexp");
        return nullptr;
    }
}

extern "C" void regex_prog_free(regex_prog *re)
{
    delete re;
}

extern "C" int regex_prog_match(const regex_prog *re, const char *s, size_t len)
{
    if (s == nullptr)
        s = "";
    try {
        return re->re->Match(re2::StringPiece(s, len), 0, len, RE2::UNANCHORED,
                             nullptr, 0)
                   ? 1
                   : 0;
    } catch (...) {
        return 0;
    }
}

extern "C" int regex_prog_group_count(const regex_prog *re)
{
    return re->groups;
}

extern "C" int regex_prog_find_submatch(const regex_prog *re, const char *s,
                                        size_t len, ptrdiff_t *offsets,
                                        size_t n_offsets)
{
    // A NULL text would make matched empty groups indistinguishable from
    // unmatched ones (both have a NULL data pointer).
    if (s == nullptr)
        s = "";
    size_t n = size_t(re->groups) + 1;
    if (n_offsets < 2 * n)
        return -1;
    try {
        re2::StringPiece small[16];
        std::vector<re2::StringPiece> big;
        re2::StringPiece *groups = small;
        if (n > 16) {
            big.resize(n);
            groups = big.data();
        }
        re2::StringPiece text(s, len);
        if (!re->re->Match(text, 0, len, RE2::UNANCHORED, groups, int(n)))
            return 0;
        for (size_t i = 0; i < n; i++) {
            if (groups[i].data() == nullptr) {
                offsets[2 * i] = -1;
                offsets[2 * i + 1] = -1;
            } else {
                offsets[2 * i] = groups[i].data() - s;
                offsets[2 * i + 1] =
                    offsets[2 * i] + ptrdiff_t(groups[i].size());
            }
        }
        return 1;
    } catch (...) {
        return -1;
    }
}

extern "C" char *regex_prog_expand(const regex_prog *re, const char *tmpl,
                                   size_t tmpl_len, const char *src,
                                   size_t src_len, const ptrdiff_t *offsets,
                                   size_t *out_len)
{
    (void)src_len;
    if (tmpl == nullptr)
        tmpl = "";
    size_t n_offsets = 2 * (size_t(re->groups) + 1);
    try {
        std::string dst;
        size_t i = 0;
        while (i < tmpl_len) {
            const void *dollar = std::memchr(tmpl + i, '$', tmpl_len - i);
            if (dollar == nullptr)
                break;
            size_t d = size_t(static_cast<const char *>(dollar) - tmpl);
            dst.append(tmpl + i, d - i);
            i = d + 1;
            if (i < tmpl_len && tmpl[i] == '$') {
                dst.push_back('$');
                i++;
                continue;
            }
            const char *name;
            size_t name_len, consumed;
            long num;
            if (!shim_extract(tmpl + i, tmpl_len - i, &name, &name_len, &num,
                              &consumed)) {
                dst.push_back('$'); // malformed: the `$` is plain text
                continue;
            }
            i += consumed;
            if (num >= 0) {
                shim_append_group(dst, src, offsets, n_offsets, num);
            } else {
                const std::map<std::string, int> &names =
                    re->re->NamedCapturingGroups();
                auto it = names.find(std::string(name, name_len));
                if (it != names.end())
                    shim_append_group(dst, src, offsets, n_offsets, it->second);
            }
        }
        if (i < tmpl_len)
            dst.append(tmpl + i, tmpl_len - i);
        return shim_dup_string(dst, out_len);
    } catch (...) {
        return nullptr;
    }
}

extern "C" int regex_prog_replace(const regex_prog *re, const char *src,
                                  size_t src_len, const char *tmpl,
                                  size_t tmpl_len, char **out, size_t *out_len)
{
    if (src == nullptr)
        src = "";
    size_t n = 2 * (size_t(re->groups) + 1);
    ptrdiff_t small[32];
    ptrdiff_t *offsets = small;
    if (n > 32) {
        offsets = static_cast<ptrdiff_t *>(std::malloc(n * sizeof *offsets));
        if (offsets == nullptr)
            return -1;
    }
    int rc = regex_prog_find_submatch(re, src, src_len, offsets, n);
    if (rc == 1) {
        char *s = regex_prog_expand(re, tmpl, tmpl_len, src, src_len, offsets,
                                    out_len);
        if (s == nullptr)
            rc = -1;
        else
            *out = s;
    }
    if (offsets != small)
        std::free(offsets);
    return rc;
}
