/* routes.c: the route table and its matcher. A pattern is a list of path
 * segments; "{x}" takes one segment, "{x*}" takes one or more (image names
 * hold slashes: /images/localhost:5000/a/b:tag/json), with the remaining
 * pattern segments matched from the end. Adding an endpoint is one line here. */
#include <string.h>

#include "internal.h"

static const http_route routes[] = {
	{"GET", "/_ping", h_ping, 0},
	{"HEAD", "/_ping", h_ping, 0},
	{"GET", "/version", h_version, 0},
	{"GET", "/info", h_info, 0},
	{"GET", "/system/df", h_system_df, 0},
	{"GET", "/events", h_events, 0},
	{"GET", "/plugins", h_plugins_list, 0},
	{"POST", "/volumes/create", h_vol_create, 0},
	{"GET", "/volumes", h_vol_list, 0},
	{"POST", "/volumes/prune", h_vol_prune, 0},
	{"GET", "/volumes/{name}", h_vol_inspect, 0},
	{"DELETE", "/volumes/{name}", h_vol_delete, 0},
	{"POST", "/containers/create", h_ctr_create, 0},
	{"GET", "/containers/json", h_ctr_list, 0},
	{"POST", "/containers/prune", h_ctr_prune, 0},
	{"GET", "/containers/{id}/json", h_ctr_inspect, 0},
	{"POST", "/containers/{id}/start", h_ctr_start, 0},
	{"POST", "/containers/{id}/stop", h_ctr_stop, 0},
	{"POST", "/containers/{id}/restart", h_ctr_restart, 0},
	{"POST", "/containers/{id}/kill", h_ctr_kill, 0},
	{"POST", "/containers/{id}/wait", h_ctr_wait, 0},
	{"POST", "/containers/{id}/pause", h_ctr_pause, 0},
	{"POST", "/containers/{id}/unpause", h_ctr_unpause, 0},
	{"POST", "/containers/{id}/rename", h_ctr_rename, 0},
	{"POST", "/containers/{id}/attach", h_ctr_attach, 0},
	{"POST", "/containers/{id}/resize", h_ctr_resize, 0},
	{"GET", "/containers/{id}/logs", h_ctr_logs, 0},
	{"GET", "/containers/{id}/top", h_ctr_top, 0},
	{"POST", "/containers/{id}/exec", h_exec_create, 0},
	{"POST", "/exec/{id}/start", h_exec_start, 0},
	{"POST", "/exec/{id}/resize", h_exec_resize, 0},
	{"GET", "/exec/{id}/json", h_exec_inspect, 0},
	{"DELETE", "/containers/{id}", h_ctr_delete, 0},
	{"POST", "/networks/create", h_net_create, 0},
	{"GET", "/networks", h_net_list, 0},
	{"POST", "/networks/prune", h_net_prune, 0},
	{"GET", "/networks/{id}", h_net_inspect, 0},
	{"DELETE", "/networks/{id}", h_net_delete, 0},
	{"POST", "/networks/{id}/connect", h_net_connect, 0},
	{"POST", "/networks/{id}/disconnect", h_net_disconnect, 0},
	{"GET", "/images/json", h_images_list, 0},
	{"GET", "/images/search", h_images_search, 0},
	{"POST", "/auth", h_auth, 0},
	{"GET", "/images/get", h_images_get, HTTP_ROUTE_TRIM},
	{"POST", "/images/load", h_images_load, HTTP_ROUTE_STREAM_BODY | HTTP_ROUTE_TRIM},
	{"POST", "/images/create", h_images_create, HTTP_ROUTE_STREAM_BODY | HTTP_ROUTE_TRIM},
	{"POST", "/images/prune", h_images_prune, 0},
	{"GET", "/images/{name*}/json", h_images_inspect, 0},
	{"GET", "/images/{name*}/history", h_images_history, 0},
	{"GET", "/images/{name*}/get", h_images_get_one, HTTP_ROUTE_TRIM},
	{"POST", "/images/{name*}/tag", h_images_tag, 0},
	{"POST", "/images/{name*}/push", h_images_push, HTTP_ROUTE_TRIM},
	{"DELETE", "/images/{name*}", h_images_delete, 0},
	{"POST", "/grpc", h_buildkit_unsupported, 0},
	{"POST", "/session", h_buildkit_unsupported, 0},
	/* Swarm is not part of engine: answer as a Docker node outside a swarm. */
	{"GET", "/swarm", h_swarm_unavailable, 0},
	{"POST", "/swarm/init", h_swarm_unavailable, 0},
	{"POST", "/swarm/join", h_swarm_unavailable, 0},
	{"POST", "/swarm/leave", h_swarm_unavailable, 0},
	{"POST", "/swarm/update", h_swarm_unavailable, 0},
	{"GET", "/swarm/unlockkey", h_swarm_unavailable, 0},
	{"POST", "/swarm/unlock", h_swarm_unavailable, 0},
	{"GET", "/services", h_swarm_unavailable, 0},
	{"POST", "/services/create", h_swarm_unavailable, 0},
	{"GET", "/services/{id}", h_swarm_unavailable, 0},
	{"DELETE", "/services/{id}", h_swarm_unavailable, 0},
	{"POST", "/services/{id}/update", h_swarm_unavailable, 0},
	{"GET", "/services/{id}/logs", h_swarm_unavailable, 0},
	{"GET", "/nodes", h_swarm_unavailable, 0},
	{"GET", "/nodes/{id}", h_swarm_unavailable, 0},
	{"DELETE", "/nodes/{id}", h_swarm_unavailable, 0},
	{"POST", "/nodes/{id}/update", h_swarm_unavailable, 0},
	{"GET", "/tasks", h_swarm_unavailable, 0},
	{"GET", "/tasks/{id}", h_swarm_unavailable, 0},
	{"GET", "/tasks/{id}/logs", h_swarm_unavailable, 0},
	{"GET", "/secrets", h_swarm_unavailable, 0},
	{"POST", "/secrets/create", h_swarm_unavailable, 0},
	{"GET", "/secrets/{id}", h_swarm_unavailable, 0},
	{"DELETE", "/secrets/{id}", h_swarm_unavailable, 0},
	{"POST", "/secrets/{id}/update", h_swarm_unavailable, 0},
	{"GET", "/configs", h_swarm_unavailable, 0},
	{"POST", "/configs/create", h_swarm_unavailable, 0},
	{"GET", "/configs/{id}", h_swarm_unavailable, 0},
	{"DELETE", "/configs/{id}", h_swarm_unavailable, 0},
	{"POST", "/configs/{id}/update", h_swarm_unavailable, 0},
};

#define MAX_SEGS 64

/* Splits path into segments inside buf; returns the count or -1. */
static int split_segments(const char *path, char *buf, size_t len, const char **segs)
{
	size_t pl = strlen(path);
	if (pl + 1 > len)
		return -1;
	memcpy(buf, path, pl + 1);
	int n = 0;
	char *p = buf;
	while (*p) {
		while (*p == '/')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == MAX_SEGS)
			return -1;
		segs[n++] = p;
		while (*p && *p != '/')
			p++;
	}
	return n;
}

static int count_pattern_segs(const char *pat, const char **segs, char *buf, size_t len)
{
	return split_segments(pat, buf, len, segs);
}

static bool is_param(const char *seg)
{
	return seg[0] == '{';
}

static bool is_greedy(const char *seg)
{
	size_t l = strlen(seg);
	return l >= 3 && seg[0] == '{' && seg[l - 2] == '*' && seg[l - 1] == '}';
}

/* Matches one route; on success fills req->params pointing into pbuf. */
static bool match_one(const char *pattern, const char **psegs, int np, const char *segbuf,
		      const char *path, http_req *req, char *pbuf, size_t plen)
{
	char patbuf[256];
	const char *tsegs[MAX_SEGS];
	int nt = count_pattern_segs(pattern, tsegs, patbuf, sizeof(patbuf));
	int greedy = -1;
	for (int i = 0; i < nt; i++)
		if (is_greedy(tsegs[i]))
			greedy = i;
	if (greedy < 0 ? nt != np : np < nt)
		return false;
	size_t nparams = 0, used = 0;
	for (int i = 0; i < nt; i++) {
		int pi = (greedy >= 0 && i > greedy) ? np - (nt - i) : i;
		if (i == greedy) {
			/* The greedy span: segments greedy .. np-(nt-greedy), rejoined from path. */
			int last = np - (nt - greedy);
			const char *start = path + (psegs[greedy] - segbuf);
			const char *end = path + (psegs[last] - segbuf) + strlen(psegs[last]);
			size_t l = (size_t)(end - start);
			if (used + l + 1 > plen || nparams == 4)
				return false;
			memcpy(pbuf + used, start, l);
			pbuf[used + l] = '\0';
			req->params[nparams++] = pbuf + used;
			used += l + 1;
			continue;
		}
		if (is_param(tsegs[i])) {
			if (nparams == 4)
				return false;
			req->params[nparams++] = psegs[pi];
		} else if (strcmp(tsegs[i], psegs[pi]) != 0) {
			return false;
		}
	}
	req->nparams = nparams;
	return true;
}

const http_route *http_route_match(const char *method, const char *path, http_req *req,
				   char *param_buf, size_t param_buf_len)
{
	/* Path segments live in the first half of param_buf, greedy joins in the second. */
	size_t half = param_buf_len / 2;
	const char *psegs[MAX_SEGS];
	if (path[0] != '/')
		return NULL;
	int np = split_segments(path, param_buf, half, psegs);
	if (np < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].method, method) != 0)
			continue;
		if (match_one(routes[i].pattern, psegs, np, param_buf, path, req, param_buf + half,
			      param_buf_len - half))
			return &routes[i];
	}
	return NULL;
}
