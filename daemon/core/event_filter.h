/* event_filter.h: which events a GET /events request wants: a time window
 * (since, until) and Docker's filters (type, event, container, image, label,
 * daemon, network, volume, scope, plugin, node, service, config, secret):
 * values of one key ORed, keys ANDed. */
#ifndef ENGINE_EVENT_FILTER_H
#define ENGINE_EVENT_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "events.h"
#include "filters.h"

typedef struct event_query {
	bool has_since, has_until;
	int64_t since_nano, until_nano;
	filters *filters;     /* NULL: none */
	bool done;            /* set by the stream once until has passed */
} event_query;

/* since/until as the API sends them ("seconds[.nanos]") or, beyond Docker,
 * as a user types them ("10m", "2024-01-02T15:04:05Z"), relative to now. */
int event_query_parse(event_query *q, const char *since, const char *until, const char *filters,
		      err_t **err);
bool event_query_match(const event_query *q, const event *e);
void event_query_free(event_query *q);

#endif
