/* timeutil.c: see timeutil.h.
 *
 * Dates are turned into days since 1970-01-01 with the proleptic Gregorian
 * calendar (the usual era-of-400-years arithmetic), so year 1 and year 9999
 * work without the C library's time_t and time zone machinery.
 *
 * Parsing follows Go's time.Parse for the few layouts docker uses: a layout
 * is literal text and the elements 2006 01 02 15 04 05 .999999999 Z07:00,
 * matched left to right; a mismatch reports the layout element and the text
 * left, in Go's words, so `--since 2024-13-01` fails as docker's does. */
#include "timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* ---- formatting ---- */

char *time_format_rfc3339nano(int64_t sec, int32_t nsec)
{
	return time_format_rfc3339nano_zone(sec, nsec, 0);
}

char *time_format_rfc3339nano_zone(int64_t sec, int32_t nsec, int32_t utcoff)
{
	sec += utcoff;
	int64_t days = floor_div(sec, 86400), rem = sec - days * 86400, y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	strbuf sb = STRBUF_INIT;
	if (y < 0)
		sb_printf(&sb, "-%04lld", (long long)-y);
	else
		sb_printf(&sb, "%04lld", (long long)y);
	sb_printf(&sb, "-%02d-%02dT%02d:%02d:%02d", m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
		  (int)(rem % 60));
	if (nsec > 0 && nsec < NS_PER_SEC) {
		sb_printf(&sb, ".%09d", (int)nsec);
		while (sb.buf[sb.len - 1] == '0')
			sb.buf[--sb.len] = '\0';
	}
	if (utcoff == 0) {
		sb_putc(&sb, 'Z');
	} else {
		int32_t a = utcoff < 0 ? -utcoff : utcoff;
		sb_printf(&sb, "%c%02d:%02d", utcoff < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
	}
	return sb_steal(&sb);
}

/* ---- Go's time.Parse, for docker's layouts ---- */

/* Go's time.quote: bytes outside printable ASCII as \xNN. */
static void go_quote(strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80 || *p < ' ')
			sb_printf(sb, "\\x%02x", *p);
		else if (*p == '"' || *p == '\\')
			sb_printf(sb, "\\%c", *p);
		else
			sb_putc(sb, (char)*p);
	}
	sb_putc(sb, '"');
}

typedef struct parsed {
	const char *layout, *value; /* the whole of each, for messages */
	int64_t year;
	int month, day, hour, min, sec;
	int32_t nsec;
	bool zoned;     /* the text named its zone */
	int32_t offset; /* seconds east of UTC */
} parsed;

static int cannot_parse(const parsed *p, const char *rest, const char *elem, err_t **err)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "parsing time ");
	go_quote(&sb, p->value);
	sb_puts(&sb, " as ");
	go_quote(&sb, p->layout);
	sb_puts(&sb, ": cannot parse ");
	go_quote(&sb, rest);
	sb_puts(&sb, " as ");
	go_quote(&sb, elem);
	return err_invalid(err, "%s", sb.buf);
}

static int parse_msg(const parsed *p, const char *msg, const char *extra, err_t **err)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "parsing time ");
	go_quote(&sb, p->value);
	sb_puts(&sb, msg);
	if (extra)
		go_quote(&sb, extra);
	return err_invalid(err, "%s", sb.buf);
}

/* Go's getnum: one or two digits, exactly two when fixed. */
static bool getnum(const char **s, bool fixed, int *out)
{
	const char *p = *s;
	if (!isdigit((unsigned char)p[0]))
		return false;
	if (!isdigit((unsigned char)p[1])) {
		if (fixed)
			return false;
		*out = p[0] - '0';
		*s = p + 1;
		return true;
	}
	*out = (p[0] - '0') * 10 + (p[1] - '0');
	*s = p + 2;
	return true;
}

/* A '.' or ',' and the digits after it, as nanoseconds (past 9 digits ignored). */
static void take_fraction(const char **s, int32_t *nsec)
{
	const char *p = *s + 1;
	int32_t ns = 0;
	int digits = 0;
	for (; isdigit((unsigned char)*p); p++, digits++)
		if (digits < 9)
			ns = ns * 10 + (*p - '0');
	for (; digits < 9; digits++)
		ns *= 10;
	*nsec = ns;
	*s = p;
}

static bool has_fraction(const char *s)
{
	return (s[0] == '.' || s[0] == ',') && isdigit((unsigned char)s[1]);
}

/* "Z" or "+hh:mm"/"-hh:mm"; results as parse_elem's. */
static const char *parse_zone(const char **s, parsed *p)
{
	const char *v = *s;
	int hh, mm;
	p->zoned = true;
	if (v[0] == 'Z') {
		p->offset = 0;
		*s = v + 1;
		return NULL;
	}
	if (strlen(v) < 6 || v[3] != ':' || (v[0] != '+' && v[0] != '-'))
		return "";
	const char *h = v + 1, *m = v + 4;
	if (!getnum(&h, true, &hh) || !getnum(&m, true, &mm))
		return "";
	*s = v + 6;
	/* Go lets 24 hours and 60 minutes through, as some people write them */
	if (hh > 24)
		return "time zone offset hour";
	if (mm > 60)
		return "time zone offset minute";
	p->offset = (hh * 60 + mm) * 60 * (v[0] == '-' ? -1 : 1);
	return NULL;
}

/* Parses one layout element at *s; returns a range-error word, "" when the
 * text does not fit (cannot parse), or NULL on success. */
static const char *parse_elem(const char *elem, const char **s, const char *layout_rest,
			      parsed *p)
{
	int n = 0;
	if (!strcmp(elem, "2006")) {
		for (int i = 0; i < 4; i++)
			if (!isdigit((unsigned char)(*s)[i]))
				return "";
		p->year = 0;
		for (int i = 0; i < 4; i++)
			p->year = p->year * 10 + ((*s)[i] - '0');
		*s += 4;
		return NULL;
	}
	if (!strcmp(elem, ".999999999")) {
		if (has_fraction(*s))
			take_fraction(s, &p->nsec);
		return NULL;
	}
	if (!strcmp(elem, "Z07:00"))
		return parse_zone(s, p);
	bool fixed = strcmp(elem, "15") != 0;
	if (!getnum(s, fixed, &n))
		return "";
	if (!strcmp(elem, "01")) {
		p->month = n;
		return n < 1 || n > 12 ? "month" : NULL;
	}
	if (!strcmp(elem, "02")) {
		p->day = n;
		return NULL;
	}
	if (!strcmp(elem, "15")) {
		p->hour = n;
		return n >= 24 ? "hour" : NULL;
	}
	if (!strcmp(elem, "04")) {
		p->min = n;
		return n >= 60 ? "minute" : NULL;
	}
	p->sec = n;
	if (n >= 60)
		return "second";
	/* Go reads a fraction after the seconds even when the layout has none. */
	if (has_fraction(*s) && strncmp(layout_rest, ".999999999", 10) != 0)
		take_fraction(s, &p->nsec);
	return NULL;
}

static const char *const elements[] = {"2006", ".999999999", "Z07:00", "01", "02", "04", "05", "15"};

static const char *elem_at(const char *layout)
{
	for (size_t i = 0; i < ARRAY_SIZE(elements); i++)
		if (!strncmp(layout, elements[i], strlen(elements[i])))
			return elements[i];
	return NULL;
}

/* Go's time.Parse(layout, value) (zone from the text) or ParseInLocation
 * with a fixed zone of utcoff seconds when the text has none; *zone_out
 * (optional) gets the offset the time was written in. */
static int parse_layout(const char *layout, const char *value, int32_t utcoff, int64_t *sec,
			int32_t *nsec, int32_t *zone_out, err_t **err)
{
	parsed p = {.layout = layout, .value = value, .year = 1, .month = 1, .day = 1};
	const char *l = layout, *s = value;
	while (*l) {
		const char *elem = elem_at(l);
		if (!elem) {
			if (*s != *l)
				return cannot_parse(&p, s, (char[]){*l, '\0'}, err);
			l++, s++;
			continue;
		}
		l += strlen(elem);
		const char *before = s;
		const char *bad = parse_elem(elem, &s, l, &p);
		if (bad && *bad) {
			_cleanup_free_ char *msg = xasprintf(": %s out of range", bad);
			return parse_msg(&p, msg, NULL, err);
		}
		if (bad)
			return cannot_parse(&p, before, elem, err);
	}
	if (*s)
		return parse_msg(&p, ": extra text: ", s, err);
	if (p.day < 1 || p.day > days_in_month(p.year, p.month))
		return parse_msg(&p, ": day out of range", NULL, err);
	int64_t days = days_from_civil(p.year, p.month, p.day);
	*sec = days * 86400 + p.hour * 3600 + p.min * 60 + p.sec - (p.zoned ? p.offset : utcoff);
	*nsec = p.nsec;
	if (zone_out)
		*zone_out = p.zoned ? p.offset : utcoff;
	return 0;
}

int time_parse_rfc3339(const char *s, int64_t *sec, int32_t *nsec, err_t **err)
{
	return parse_layout("2006-01-02T15:04:05.999999999Z07:00", s, 0, sec, nsec, NULL, err);
}

int time_parse_rfc3339_zone(const char *s, int64_t *sec, int32_t *nsec, int32_t *utcoff,
			    err_t **err)
{
	return parse_layout("2006-01-02T15:04:05.999999999Z07:00", s, 0, sec, nsec, utcoff, err);
}

/* ---- durations ---- */

static int bad_duration(const char *what, const char *s, err_t **err)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "time: %s ", what);
	go_quote(&sb, s);
	return err_invalid(err, "%s", sb.buf);
}

static int64_t unit_ns(const char *u, size_t n)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000},
		{"ms", 1000000}, {"s", NS_PER_SEC}, {"m", 60 * NS_PER_SEC}, {"h", 3600 * NS_PER_SEC},
	};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strlen(units[i].name) == n && !memcmp(units[i].name, u, n))
			return units[i].ns;
	return 0;
}

#define DUR_LIMIT ((uint64_t)1 << 63)

/* Digits before the point; false on overflow past 2^63. */
static bool leading_int(const char **s, uint64_t *x)
{
	*x = 0;
	for (; isdigit((unsigned char)**s); (*s)++) {
		if (*x > DUR_LIMIT / 10)
			return false;
		*x = *x * 10 + (uint64_t)(**s - '0');
		if (*x > DUR_LIMIT)
			return false;
	}
	return true;
}

/* Digits after the point: value f/scale, digits beyond precision ignored. */
static void leading_fraction(const char **s, uint64_t *f, double *scale)
{
	bool overflow = false;
	*f = 0;
	*scale = 1;
	for (; isdigit((unsigned char)**s); (*s)++) {
		if (overflow)
			continue;
		uint64_t y = *f * 10 + (uint64_t)(**s - '0');
		if (*f > (DUR_LIMIT - 1) / 10 || y > DUR_LIMIT) {
			overflow = true;
			continue;
		}
		*f = y;
		*scale *= 10;
	}
}

/* One "<number><unit>" term of a duration, added to *d. */
static int duration_term(const char **sp, const char *orig, uint64_t *d, err_t **err)
{
	const char *s = *sp, *start = s;
	uint64_t v, f = 0;
	double scale = 1;
	if (!(*s == '.' || isdigit((unsigned char)*s)) || !leading_int(&s, &v))
		return bad_duration("invalid duration", orig, err);
	bool pre = s != start, post = false;
	if (*s == '.') {
		const char *frac = ++s;
		leading_fraction(&s, &f, &scale);
		post = s != frac;
	}
	if (!pre && !post)
		return bad_duration("invalid duration", orig, err);
	const char *u = s;
	while (*s && *s != '.' && !isdigit((unsigned char)*s))
		s++;
	if (s == u)
		return bad_duration("missing unit in duration", orig, err);
	int64_t unit = unit_ns(u, (size_t)(s - u));
	if (!unit) {
		_cleanup_free_ char *name = xstrndup(u, (size_t)(s - u));
		_cleanup_sb_ strbuf q = STRBUF_INIT;
		go_quote(&q, name);
		_cleanup_free_ char *what = xasprintf("unknown unit %s in duration", q.buf);
		return bad_duration(what, orig, err);
	}
	if (v > DUR_LIMIT / (uint64_t)unit)
		return bad_duration("invalid duration", orig, err);
	v *= (uint64_t)unit;
	if (f > 0) {
		v += (uint64_t)((double)f * ((double)unit / scale));
		if (v > DUR_LIMIT)
			return bad_duration("invalid duration", orig, err);
	}
	*d += v;
	if (*d > DUR_LIMIT)
		return bad_duration("invalid duration", orig, err);
	*sp = s;
	return 0;
}

int time_parse_duration(const char *orig, int64_t *ns, err_t **err)
{
	const char *s = orig;
	bool neg = false;
	uint64_t d = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return bad_duration("invalid duration", orig, err);
	while (*s)
		if (duration_term(&s, orig, &d, err) < 0)
			return -1;
	if (!neg && d > DUR_LIMIT - 1)
		return bad_duration("invalid duration", orig, err);
	*ns = neg ? (int64_t)(0 - d) : (int64_t)d;
	return 0;
}

/* ---- docker's --since / --until ---- */

time_ref time_ref_now(void)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	return (time_ref){.sec = ts.tv_sec, .nsec = (int32_t)ts.tv_nsec, .utcoff = (int32_t)tm.tm_gmtoff};
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

/* The layout docker's GetTimestamp picks for a value, by its punctuation. */
static const char *pick_layout(const char *value, bool local)
{
	if (strchr(value, '.'))
		return local ? "2006-01-02T15:04:05.999999999" : "2006-01-02T15:04:05.999999999Z07:00";
	if (!strchr(value, 'T'))
		return local ? "2006-01-02" : "2006-01-02Z07:00";
	size_t colons = count_char(value, ':');
	/* an offset like +01:00 brings a colon of its own */
	if (!local && !strpbrk(value, "zZ") && colons > 0)
		colons--;
	if (colons == 0)
		return local ? "2006-01-02T15" : "2006-01-02T15Z07:00";
	if (colons == 1)
		return local ? "2006-01-02T15:04" : "2006-01-02T15:04Z07:00";
	return local ? "2006-01-02T15:04:05" : "2006-01-02T15:04:05Z07:00";
}

/* Go's strconv.ParseInt(s, 10, 64), with its error text. */
static int parse_int64(const char *s, int64_t *out, err_t **err)
{
	const char *p = s + (*s == '+' || *s == '-');
	if (!*p || strspn(p, "0123456789") != strlen(p))
		return err_invalid(err, "strconv.ParseInt: parsing \"%s\": invalid syntax", s);
	errno = 0;
	*out = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return err_invalid(err, "strconv.ParseInt: parsing \"%s\": value out of range", s);
	return 0;
}

/* docker's parseTimestamp: "sec" or "sec.frac", frac scaled to nanoseconds. */
static int parse_unix(const char *value, int64_t *sec, int64_t *nsec, err_t **err)
{
	const char *dot = strchr(value, '.');
	_cleanup_free_ char *s = dot ? xstrndup(value, (size_t)(dot - value)) : xstrdup(value);
	if (parse_int64(s, sec, err) < 0)
		return -1;
	*nsec = 0;
	if (!dot)
		return 0;
	if (parse_int64(dot + 1, nsec, err) < 0)
		return -1;
	*nsec = (int64_t)((double)*nsec * pow(10, 9 - (double)strlen(dot + 1)));
	return 0;
}

/* reference minus d, in whole seconds (Go's Time.Unix() rounds down). */
static int64_t unix_minus(const time_ref *ref, int64_t d)
{
	int64_t dsec = floor_div(d, NS_PER_SEC), dnsec = d - dsec * NS_PER_SEC;
	int64_t sec = ref->sec - dsec, nsec = ref->nsec - dnsec;
	return nsec < 0 ? sec - 1 : sec;
}

int time_get_timestamp(const char *value, const time_ref *ref, char **out, err_t **err)
{
	int64_t d, sec, nsec;
	int32_t ns32;
	_cleanup_err_ err_t *ignored = NULL;
	if (strcmp(value, "0") != 0 && time_parse_duration(value, &d, &ignored) == 0) {
		*out = xasprintf("%lld", (long long)unix_minus(ref, d));
		return 0;
	}
	bool local = !strpbrk(value, "zZ+") && count_char(value, '-') != 3;
	_cleanup_err_ err_t *perr = NULL;
	if (parse_layout(pick_layout(value, local), value, ref->utcoff, &sec, &ns32, NULL, &perr) == 0) {
		*out = xasprintf("%lld.%09d", (long long)sec, (int)ns32);
		return 0;
	}
	if (strchr(value, '-'))
		return err_invalid(err, "%s", perr->msg);
	if (parse_unix(value, &sec, &nsec, &ignored) < 0)
		return err_invalid(err, "failed to parse value as time or duration: \"%s\"", value);
	*out = xstrdup(value);
	return 0;
}

int time_parse_timestamps(const char *value, int64_t def, int64_t *sec, int64_t *nsec,
			  err_t **err)
{
	if (!value || !*value) {
		*sec = def;
		*nsec = 0;
		return 0;
	}
	if (parse_unix(value, sec, nsec, err) < 0)
		return err_wrap(err, "invalid timestamp '%s'", value);
	return 0;
}

/* ---- units.HumanDuration ---- */

/* Go's Duration.Seconds(), Minutes(), Hours(): whole units plus the rest. */
static double dur_in(int64_t ns, int64_t unit)
{
	return (double)(ns / unit) + (double)(ns % unit) / (double)unit;
}

char *time_human_duration(int64_t ns)
{
	int64_t seconds = (int64_t)dur_in(ns, NS_PER_SEC);
	if (seconds < 1)
		return xstrdup("Less than a second");
	if (seconds == 1)
		return xstrdup("1 second");
	if (seconds < 60)
		return xasprintf("%lld seconds", (long long)seconds);
	int64_t minutes = (int64_t)dur_in(ns, 60 * NS_PER_SEC);
	if (minutes == 1)
		return xstrdup("About a minute");
	if (minutes < 60)
		return xasprintf("%lld minutes", (long long)minutes);
	int64_t hours = (int64_t)(dur_in(ns, 3600 * NS_PER_SEC) + 0.5);
	if (hours == 1)
		return xstrdup("About an hour");
	if (hours < 48)
		return xasprintf("%lld hours", (long long)hours);
	if (hours < 24 * 7 * 2)
		return xasprintf("%lld days", (long long)(hours / 24));
	if (hours < 24 * 30 * 2)
		return xasprintf("%lld weeks", (long long)(hours / 24 / 7));
	if (hours < 24 * 365 * 2)
		return xasprintf("%lld months", (long long)(hours / 24 / 30));
	return xasprintf("%lld years", (long long)((int64_t)dur_in(ns, 3600 * NS_PER_SEC) / 24 / 365));
}
