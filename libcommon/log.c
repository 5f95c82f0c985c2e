/* log.c: see log.h. The default sink writes one line per message to stderr
 * in the form dockerd uses: time="..." level=info msg="...". */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xalloc.h"
#include <stdlib.h>

static log_level current_level = LOG_LVL_INFO;
static log_sink_fn current_sink;
static const char *ident = "engine";

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void log_set_level(log_level lvl)
{
	current_level = lvl;
}

log_level log_get_level(void)
{
	return current_level;
}

int log_level_parse(const char *s, log_level *out)
{
	static const struct {
		const char *name;
		log_level lvl;
	} table[] = {
		{"debug", LOG_LVL_DEBUG}, {"info", LOG_LVL_INFO},   {"warn", LOG_LVL_WARN},
		{"warning", LOG_LVL_WARN}, {"error", LOG_LVL_ERROR}, {"fatal", LOG_LVL_ERROR},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcasecmp(s, table[i].name) == 0) {
			*out = table[i].lvl;
			return 0;
		}
	}
	return -1;
}

void log_set_sink(log_sink_fn sink)
{
	current_sink = sink;
}

void log_set_ident(const char *id)
{
	ident = id;
}

static void stderr_sink(log_level lvl, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char when[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "time=\"%s.%09ldZ\" level=%s msg=\"", when, ts.tv_nsec,
		level_names[lvl]);
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', stderr);
		if (*p == '\n') {
			fputs("\\n", stderr);
			continue;
		}
		fputc(*p, stderr);
	}
	fprintf(stderr, "\" source=%s\n", ident);
}

void log_msg(log_level lvl, const char *file, int line, const char *fmt, ...)
{
	if (lvl > current_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (current_sink)
		current_sink(lvl, file, line, msg);
	else
		stderr_sink(lvl, msg);
	free(msg);
}
