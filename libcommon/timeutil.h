/* timeutil.h: time as Docker writes and reads it.
 *
 * - RFC 3339 with nanoseconds, Go's time.RFC3339Nano ("2024-01-02T03:04:05.5Z":
 *   the fraction loses its trailing zeros and disappears when zero), which is
 *   how the API carries Created, StartedAt, ... Year 1 is Go's zero time.
 * - Go's time.ParseDuration ("1h30m", "1.5h", "300ms", "-2us").
 * - --since/--until values, as docker's GetTimestamp turns them into the
 *   "seconds[.nanoseconds]" text the API receives, and ParseTimestamps, which
 *   reads that text back on the daemon side.
 * - units.HumanDuration ("About a minute", "3 hours"), behind "Up 5 minutes"
 *   and "2 days ago".
 * Instants are seconds and nanoseconds since the Unix epoch, in UTC. */
#ifndef ENGINE_TIMEUTIL_H
#define ENGINE_TIMEUTIL_H

#include <stdint.h>

#include "err.h"

#define NS_PER_SEC 1000000000LL

/* Wall-clock time (CLOCK_REALTIME) and a clock for intervals (CLOCK_MONOTONIC), in ns. */
int64_t now_ns(void);
int64_t mono_ns(void);

/* Go's Format(time.RFC3339Nano) in UTC; nsec in [0, 1e9). Caller frees. */
char *time_format_rfc3339nano(int64_t sec, int32_t nsec);
/* The same in a fixed zone utcoff seconds east of UTC ("+02:00"; "Z" for 0),
 * as Go formats a time it parsed from text that carried that offset. */
char *time_format_rfc3339nano_zone(int64_t sec, int32_t nsec, int32_t utcoff);
/* Reads RFC 3339: "2006-01-02T15:04:05[.frac](Z|+hh:mm|-hh:mm)" as Go's
 * time.Parse(time.RFC3339Nano, s) does. Errors use Go's wording
 * (`parsing time "x" as "...": cannot parse ...`), ERR_INVALID. */
int time_parse_rfc3339(const char *s, int64_t *sec, int32_t *nsec, err_t **err);
/* The same, also giving the offset the text was written in (0 for "Z"). */
int time_parse_rfc3339_zone(const char *s, int64_t *sec, int32_t *nsec, int32_t *utcoff,
			    err_t **err);

/* Go's time.ParseDuration; *ns is a signed count of nanoseconds. */
int time_parse_duration(const char *s, int64_t *ns, err_t **err);

/* The reference instant of a --since/--until value and the UTC offset (in
 * seconds east) of the zone that dates without a zone are read in. */
typedef struct time_ref {
	int64_t sec;
	int32_t nsec;
	int32_t utcoff;
} time_ref;

/* Now, in the local zone. */
time_ref time_ref_now(void);
/* docker's GetTimestamp(value, reference): a duration ("10m", "1h30m") is
 * reference minus it, in whole seconds ("1700000000"); a date ("2024-01-02",
 * "2024-01-02T15:04", RFC 3339 with or without fraction and zone) becomes
 * "%d.%09d"; Unix seconds ("1700000000", "1700000000.5") pass through as
 * given. *out is the text to send, which the caller frees. */
int time_get_timestamp(const char *value, const time_ref *ref, char **out, err_t **err);
/* docker's ParseTimestamps(value, def): "" gives def seconds; otherwise
 * "seconds[.fraction]", the fraction scaled to nanoseconds (digits past the
 * ninth are dropped). Garbage is ERR_INVALID. */
int time_parse_timestamps(const char *value, int64_t def, int64_t *sec, int64_t *nsec,
			  err_t **err);

/* units.HumanDuration(d): "Less than a second", "1 second", "5 seconds",
 * "About a minute", "5 minutes", "About an hour", "3 hours", "2 days",
 * "2 weeks", "3 months", "2 years". Caller frees. */
char *time_human_duration(int64_t ns);

#endif
