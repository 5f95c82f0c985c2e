/* imgtime.h: the timestamps of image configs and of the API: RFC 3339
 * parsing, Go's RFC3339Nano rendering (what Docker prints), and the
 * `until`/`since` filter forms (Unix seconds, RFC 3339, Go durations).
 * Kept here until libcommon grows its time helpers. */
#ifndef ENGINE_IMAGE_IMGTIME_H
#define ENGINE_IMAGE_IMGTIME_H

#include <stdbool.h>
#include <stdint.h>

typedef struct img_time {
	int64_t sec;  /* Unix seconds */
	int32_t nsec;
	int32_t off;  /* zone offset in seconds, kept for rendering */
	bool set;
} img_time;

/* Go's zero time, 0001-01-01T00:00:00Z, in Unix seconds. */
#define IMG_TIME_ZERO_SEC (-62135596800LL)

/* RFC 3339 with optional fraction; -1 when malformed. */
int img_time_parse(const char *s, img_time *t);
/* Go RFC3339Nano ("2024-09-06T00:00:00.5Z"); unset renders Go's zero time. */
char *img_time_format(const img_time *t);
img_time img_time_now(void);
/* -1 / 0 / 1 */
int img_time_cmp(const img_time *a, const img_time *b);
/* A filter value as Docker's GetTimestamp takes it: Unix seconds with an
 * optional fraction, RFC 3339 (or a date), or a Go duration ("24h", "1h30m")
 * counted back from now. -1 when malformed. */
int img_time_parse_filter(const char *s, int64_t now, img_time *t);

#endif
