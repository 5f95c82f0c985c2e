/* gonum.c: see gonum.h. Shortest digits come from C's correctly rounded
 * %.Ne, trying 1 to 17 digits until the text reads back as the same double;
 * Go's rules for choosing between the plain and the exponent form are then
 * applied to those digits. */
#include "gonum.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal 0.d[0]d[1]...d[nd-1] x 10^dp, without trailing zeros. */
typedef struct decimal {
	char d[20];
	int nd, dp;
} decimal;

/* Fills *dec from the text of printf("%.Ne", |f|). */
static void parse_e(const char *text, decimal *dec)
{
	const char *e = strchr(text, 'e');
	dec->nd = 0;
	for (const char *p = text; p < e; p++)
		if (*p >= '0' && *p <= '9')
			dec->d[dec->nd++] = *p;
	dec->dp = atoi(e + 1) + 1;
	while (dec->nd > 0 && dec->d[dec->nd - 1] == '0')
		dec->nd--;
	if (dec->nd == 0)
		dec->dp = 0;
}

static void shortest(double f, decimal *dec)
{
	char text[40];
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(text, sizeof(text), "%.*e", digits - 1, fabs(f));
		if (strtod(text, NULL) == fabs(f))
			break;
	}
	parse_e(text, dec);
}

static void put_e(strbuf *sb, const decimal *d, int prec, char fmt)
{
	sb_putc(sb, d->nd ? d->d[0] : '0');
	if (prec > 0) {
		sb_putc(sb, '.');
		for (int i = 1; i <= prec; i++)
			sb_putc(sb, i < d->nd ? d->d[i] : '0');
	}
	int exp = d->nd ? d->dp - 1 : 0;
	sb_printf(sb, "%c%c%02d", fmt, exp < 0 ? '-' : '+', abs(exp));
}

static void put_f(strbuf *sb, const decimal *d, int prec)
{
	if (d->dp > 0) {
		for (int i = 0; i < d->dp; i++)
			sb_putc(sb, i < d->nd ? d->d[i] : '0');
	} else {
		sb_putc(sb, '0');
	}
	if (prec > 0) {
		sb_putc(sb, '.');
		for (int i = 0; i < prec; i++) {
			int j = d->dp + i;
			sb_putc(sb, j >= 0 && j < d->nd ? d->d[j] : '0');
		}
	}
}

/* Go's formatDigits for the shortest digits. */
static void put_shortest(strbuf *sb, const decimal *d, char fmt)
{
	switch (fmt) {
	case 'e':
	case 'E':
		put_e(sb, d, d->nd > 1 ? d->nd - 1 : 0, fmt);
		return;
	case 'f':
		put_f(sb, d, d->nd > d->dp ? d->nd - d->dp : 0);
		return;
	}
	int exp = d->dp - 1;
	if (exp < -4 || exp >= 6)
		put_e(sb, d, d->nd - 1, fmt == 'G' ? 'E' : 'e');
	else
		put_f(sb, d, d->nd > d->dp ? d->nd - d->dp : 0);
}

static bool put_special(strbuf *sb, double f)
{
	if (isnan(f))
		sb_puts(sb, "NaN");
	else if (isinf(f))
		sb_puts(sb, f > 0 ? "+Inf" : "-Inf");
	else
		return false;
	return true;
}

/* With a precision, C's printf gives what Go gives. */
static void put_fixed(strbuf *sb, double f, char fmt, int prec)
{
	switch (fmt) {
	case 'e': sb_printf(sb, "%.*e", prec, f); break;
	case 'E': sb_printf(sb, "%.*E", prec, f); break;
	case 'f': sb_printf(sb, "%.*f", prec, f); break;
	case 'G': sb_printf(sb, "%.*G", prec, f); break;
	default: sb_printf(sb, "%.*g", prec, f); break;
	}
}

void gonum_float(strbuf *sb, double f, char fmt, int prec)
{
	if (put_special(sb, f))
		return;
	if (fmt == '\0' || !strchr("eEfgG", fmt))
		fmt = 'g';
	if (prec >= 0) {
		put_fixed(sb, f, fmt, prec);
		return;
	}
	decimal d;
	shortest(f, &d);
	if (signbit(f))
		sb_putc(sb, '-');
	put_shortest(sb, &d, fmt);
}

void gonum_float_json(strbuf *sb, double f)
{
	if (isnan(f) || isinf(f)) {
		sb_puts(sb, "null");
		return;
	}
	double a = fabs(f);
	if (a != 0 && (a < 1e-6 || a >= 1e21)) {
		strbuf e = STRBUF_INIT;
		gonum_float(&e, f, 'e', -1);
		/* encoding/json writes e-7, not e-07 */
		size_t n = e.len;
		if (n >= 4 && e.buf[n - 4] == 'e' && e.buf[n - 3] == '-' && e.buf[n - 2] == '0') {
			e.buf[n - 2] = e.buf[n - 1];
			e.buf[--e.len] = '\0';
		}
		sb_append(sb, e.buf, e.len);
		sb_free(&e);
		return;
	}
	gonum_float(sb, f, 'f', -1);
}
