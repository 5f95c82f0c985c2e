/* imgtime.c: see imgtime.h. timegm/gmtime_r do the calendar work. */
#include "imgtime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "2006-01-02" into tm; returns chars used or -1 */
static int parse_date(const char *s, struct tm *tm)
{
	int y, m, d;
	if (digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &m) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	tm->tm_year = y - 1900;
	tm->tm_mon = m - 1;
	tm->tm_mday = d;
	return 10;
}

static int parse_clock(const char *s, struct tm *tm, int32_t *nsec)
{
	int h, mi, se, i = 8;
	if (digits(s, 2, &h) < 0 || s[2] != ':' || digits(s + 3, 2, &mi) < 0 || s[5] != ':' ||
	    digits(s + 6, 2, &se) < 0 || h > 23 || mi > 59 || se > 60)
		return -1;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = se;
	*nsec = 0;
	if (s[i] == '.' || s[i] == ',') {
		int32_t scale = 100000000;
		if (!isdigit((unsigned char)s[++i]))
			return -1;
		for (; isdigit((unsigned char)s[i]); i++, scale /= 10)
			*nsec += scale * (s[i] - '0');
	}
	return i;
}

static int parse_zone(const char *s, int32_t *off)
{
	int h, m;
	if ((s[0] == 'Z' || s[0] == 'z') && !s[1]) {
		*off = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &h) < 0 || s[3] != ':' ||
	    digits(s + 4, 2, &m) < 0 || s[6])
		return -1;
	*off = (h * 3600 + m * 60) * (s[0] == '-' ? -1 : 1);
	return 0;
}

int img_time_parse(const char *s, img_time *t)
{
	struct tm tm = {0};
	int32_t nsec = 0, off = 0;
	if (!s || strlen(s) < 20 || parse_date(s, &tm) < 0 || (s[10] != 'T' && s[10] != 't'))
		return -1;
	int n = parse_clock(s + 11, &tm, &nsec);
	if (n < 0 || parse_zone(s + 11 + n, &off) < 0)
		return -1;
	*t = (img_time){(int64_t)timegm(&tm) - off, nsec, off, true};
	return 0;
}

char *img_time_format(const img_time *t)
{
	img_time z = {IMG_TIME_ZERO_SEC, 0, 0, true};
	if (!t || !t->set)
		t = &z;
	time_t wall = (time_t)(t->sec + t->off);
	struct tm tm;
	gmtime_r(&wall, &tm);
	char frac[16] = "";
	if (t->nsec) {
		snprintf(frac, sizeof(frac), ".%09d", t->nsec);
		for (size_t n = strlen(frac); frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	char zone[16] = "Z";
	if (t->off)
		snprintf(zone, sizeof(zone), "%c%02d:%02d", t->off < 0 ? '-' : '+',
			 abs(t->off) / 3600 % 100, abs(t->off) % 3600 / 60);
	return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac, zone);
}

img_time img_time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (img_time){ts.tv_sec, (int32_t)ts.tv_nsec, 0, true};
}

int img_time_cmp(const img_time *a, const img_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

/* Go duration: a sequence of <number><unit>, units ns us ms s m h. */
static int parse_duration(const char *s, double *secs)
{
	static const struct { const char *u; double f; } units[] = {
		{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600},
	};
	double total = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		size_t best = 0, blen = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(end, units[i].u, l) && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (!blen)
			return -1;
		total += v * units[best].f;
		s = end + blen;
	}
	*secs = total;
	return 0;
}

static int parse_unix(const char *s, img_time *t)
{
	char *end;
	long long sec = strtoll(s, &end, 10);
	int32_t nsec = 0;
	if (end == s)
		return -1;
	if (*end == '.') {
		int32_t scale = 100000000;
		for (end++; isdigit((unsigned char)*end) && scale; end++, scale /= 10)
			nsec += scale * (*end - '0');
		while (isdigit((unsigned char)*end))
			end++;
	}
	if (*end)
		return -1;
	*t = (img_time){sec, nsec, 0, true};
	return 0;
}

int img_time_parse_filter(const char *s, int64_t now, img_time *t)
{
	double secs;
	if (!s || !*s)
		return -1;
	if (parse_unix(s, t) == 0 || img_time_parse(s, t) == 0)
		return 0;
	if (parse_duration(s, &secs) == 0) {
		int64_t whole = (int64_t)secs;
		*t = (img_time){now - whole, 0, 0, true};
		return 0;
	}
	struct tm tm = {0};
	if (strlen(s) == 10 && parse_date(s, &tm) == 10) {
		*t = (img_time){(int64_t)timegm(&tm), 0, 0, true};
		return 0;
	}
	return -1;
}
