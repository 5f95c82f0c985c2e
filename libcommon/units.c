/* units.c: see units.h. Printing divides by the base until the value is below
 * it (or the units run out) and prints with Go's %.Ng. Parsing splits the text
 * into a number and a suffix (at the first space, else after the last digit or
 * dot), reads the number as Go's strconv.ParseFloat would for decimal text,
 * and applies the suffix's multiplier, as go-units' parseSize does. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "gonum.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *const decimal_units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
static const char *const binary_units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

static char *format_size(double size, double base, const char *const *units, int precision)
{
	size_t i = 0;
	while (size >= base && i < 8) {
		size /= base;
		i++;
	}
	strbuf sb = STRBUF_INIT;
	gonum_float(&sb, size, 'g', precision);
	sb_puts(&sb, units[i]);
	return sb_steal(&sb);
}

char *units_human_size_prec(double size, int precision)
{
	return format_size(size, 1000.0, decimal_units, precision);
}

char *units_human_size(double size)
{
	return units_human_size_prec(size, 4);
}

char *units_bytes_size(double size)
{
	return format_size(size, 1024.0, binary_units, 4);
}

/* Skips digits, with Go's '_' allowed between two of them; returns how many. */
static size_t skip_digits(const char *s, size_t *i)
{
	size_t n = 0;
	for (;; (*i)++) {
		if (isdigit((unsigned char)s[*i]))
			n++;
		else if (!(s[*i] == '_' && n > 0 && isdigit((unsigned char)s[*i + 1])))
			return n;
	}
}

/* Decimal float text as strconv.ParseFloat accepts it (no hex, inf or nan,
 * which go-units can only meet after a space and which mean no size). */
static bool is_decimal_float(const char *s)
{
	size_t i = 0, digits = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	digits += skip_digits(s, &i);
	if (s[i] == '.') {
		i++;
		digits += skip_digits(s, &i);
	}
	if (digits == 0)
		return false;
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (skip_digits(s, &i) == 0)
			return false;
	}
	return s[i] == '\0';
}

static int parse_number(const char *num, double *out, err_t **err)
{
	if (!is_decimal_float(num))
		return err_invalid(err, "strconv.ParseFloat: parsing \"%s\": invalid syntax", num);
	_cleanup_free_ char *plain = xstrdup(num);
	char *w = plain;
	for (const char *r = num; *r; r++)
		if (*r != '_')
			*w++ = *r;
	*w = '\0';
	errno = 0;
	*out = strtod(plain, NULL);
	if (errno == ERANGE && isinf(*out))
		return err_invalid(err, "strconv.ParseFloat: parsing \"%s\": value out of range", num);
	return 0;
}

/* The multiplier a suffix stands for, or 0 when it is not one. */
static int64_t suffix_mult(const char *sfx, bool binary)
{
	static const char prefixes[] = "kmgtp";
	size_t n = strlen(sfx);
	if (n == 0 || (sfx[0] == 'b' && n == 1))
		return 1;
	const char *p = strchr(prefixes, sfx[0]);
	if (!p)
		return 0;
	if ((n == 2 && sfx[1] != 'b') || (n == 3 && strcmp(sfx + 1, "ib") != 0))
		return 0;
	int64_t mult = 1;
	for (const char *q = prefixes; q <= p; q++)
		mult *= binary ? 1024 : 1000;
	return mult;
}

static int parse_size(const char *s, bool binary, int64_t *out, err_t **err)
{
	const char *space = strchr(s, ' ');
	size_t numlen;
	if (space) {
		numlen = (size_t)(space - s);
	} else {
		const char *last = NULL;
		for (const char *p = s; *p; p++)
			if (isdigit((unsigned char)*p) || *p == '.')
				last = p;
		if (!last)
			return err_invalid(err, "invalid size: '%s'", s);
		numlen = (size_t)(last - s) + 1;
	}
	_cleanup_free_ char *num = xstrndup(s, numlen);
	const char *sfx = s + numlen + (space ? 1 : 0);
	double size = 0;
	if (parse_number(num, &size, err) < 0)
		return -1;
	if (size < 0)
		return err_invalid(err, "invalid size: '%s'", s);
	if (strlen(sfx) > 3)
		return err_invalid(err, "invalid suffix: '%s'", sfx);
	_cleanup_free_ char *lower = xstrdup(sfx);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	int64_t mult = suffix_mult(lower, binary);
	if (mult == 0)
		return err_invalid(err, "invalid suffix: '%s'", lower);
	size *= (double)mult;
	if (size >= 9223372036854775808.0)
		return err_invalid(err, "invalid size: '%s': too large", s);
	*out = (int64_t)size;
	return 0;
}

int units_from_human_size(const char *s, int64_t *out, err_t **err)
{
	return parse_size(s, false, out, err);
}

int units_ram_in_bytes(const char *s, int64_t *out, err_t **err)
{
	return parse_size(s, true, out, err);
}
