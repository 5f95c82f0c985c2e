/* utf8.h: UTF-8 decoding with Go's rules and terminal display widths.
 *
 * Go treats every byte that does not start a valid UTF-8 sequence (bad lead
 * byte, overlong form, surrogate, > U+10FFFF, truncated) as U+FFFD of width
 * one byte; utf8_decode() does the same so that text, JSON and tables agree
 * with what Docker's Go code produces for the same bytes. */
#ifndef ENGINE_UTF8_H
#define ENGINE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define UTF8_ERROR 0xFFFD

/* Decodes the rune at s[0..n) (n > 0); *len gets the bytes consumed (>= 1). */
uint32_t utf8_decode(const char *s, size_t n, size_t *len);
/* Appends the UTF-8 encoding of r (U+FFFD for invalid code points). */
void utf8_encode(strbuf *sb, uint32_t r);
/* Columns a rune takes on a terminal: 0 (controls, combining marks), 1 or 2
 * (East Asian wide and fullwidth forms, emoji), like go-runewidth. */
int utf8_rune_width(uint32_t r);
/* Sum of utf8_rune_width() over s[0..n). */
size_t utf8_width(const char *s, size_t n);
/* Runes in s[0..n) (each bad byte one). */
size_t utf8_runes(const char *s, size_t n);
/* Bytes taken by the first `runes` runes of s[0..n). */
size_t utf8_prefix(const char *s, size_t n, size_t runes);

#endif
