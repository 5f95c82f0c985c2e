/* log.h: leveled logging for the daemon, the shim and the CLI. Messages go to
 * stderr by default; a program may install a sink (engined sends them to the
 * journal with structured fields when systemd started it). */
#ifndef ENGINE_LOG_H
#define ENGINE_LOG_H

#include <stdarg.h>

typedef enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
} log_level;

typedef void (*log_sink_fn)(log_level lvl, const char *file, int line, const char *msg);

void log_set_level(log_level lvl);
log_level log_get_level(void);
/* Parses "debug|info|warn|error|fatal"; returns -1 for anything else. */
int log_level_parse(const char *s, log_level *out);
void log_set_sink(log_sink_fn sink);
void log_set_ident(const char *ident);
void log_msg(log_level lvl, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...)                                                  \
	do {                                                            \
		if (log_get_level() >= LOG_LVL_DEBUG)                   \
			log_msg(LOG_LVL_DEBUG, __FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

#endif
