/* internal.h: what server.c, request.c, response.c and routes.c share and
 * handlers do not see: the chosen answer and the route table. */
#ifndef ENGINE_HTTP_INTERNAL_H
#define ENGINE_HTTP_INTERNAL_H

#include "http.h"

typedef enum resp_kind {
	RESP_NONE = 0,
	RESP_BUFFER,  /* body held in memory (JSON, text, empty) */
	RESP_STREAM,  /* chunked body from a producer */
	RESP_UPGRADE, /* 101 and a raw socket */
} resp_kind;

typedef struct http_header_kv {
	char *name, *value;
} http_header_kv;

typedef struct http_resp {
	resp_kind kind;
	int status;
	char *content_type;
	char *body;
	size_t body_len;
	http_stream_fn stream;
	http_upgrade_fn upgrade;
	void *ctx;
	http_free_fn free_ctx;
	http_header_kv headers[8];
	size_t nheaders;
} http_resp;

void http_resp_free(http_resp *r);

enum {
	HTTP_ROUTE_STREAM_BODY = 1u << 0, /* body read by the handler from body_fd */
	/* A heavy operation (archives, pulls, pushes): when it ends, the
	 * memory its threads freed goes back to the kernel (malloc_trim), so
	 * the daemon returns to its idle size. */
	HTTP_ROUTE_TRIM = 1u << 1,
};

typedef struct http_route {
	const char *method;
	const char *pattern; /* "/containers/{id}/json"; "{name*}" spans several segments */
	http_handler_fn fn;
	unsigned flags;
} http_route;

/* Finds the route for method+path and fills req->params (pointing into
 * param_buf). NULL when none matches. */
const http_route *http_route_match(const char *method, const char *path, http_req *req,
				   char *param_buf, size_t param_buf_len);

/* Handlers, by area (h_*.c). */
int h_ping(http_req *req);
int h_version(http_req *req);
int h_info(http_req *req);
int h_system_df(http_req *req);
int h_events(http_req *req);
int h_swarm_unavailable(http_req *req);
int h_plugins_list(http_req *req);
int h_buildkit_unsupported(http_req *req);
int h_images_list(http_req *req);
int h_images_inspect(http_req *req);
int h_images_history(http_req *req);
int h_images_tag(http_req *req);
int h_images_delete(http_req *req);
int h_images_prune(http_req *req);
int h_images_load(http_req *req);
int h_images_create(http_req *req);
int h_images_get(http_req *req);
int h_images_get_one(http_req *req);

/* h_registry.c */
int h_images_pull(http_req *req);
int h_images_push(http_req *req);
int h_images_search(http_req *req);
int h_auth(http_req *req);

/* h_networks.c */
int h_net_create(http_req *req);
int h_net_list(http_req *req);
int h_net_inspect(http_req *req);
int h_net_delete(http_req *req);
int h_net_prune(http_req *req);
int h_net_connect(http_req *req);
int h_net_disconnect(http_req *req);
/* h_volumes.c */
int h_vol_create(http_req *req);
int h_vol_list(http_req *req);
int h_vol_prune(http_req *req);
int h_vol_inspect(http_req *req);
int h_vol_delete(http_req *req);

/* h_containers.c */
int h_ctr_create(http_req *req);
int h_ctr_list(http_req *req);
int h_ctr_prune(http_req *req);
int h_ctr_inspect(http_req *req);
int h_ctr_start(http_req *req);
int h_ctr_stop(http_req *req);
int h_ctr_restart(http_req *req);
int h_ctr_kill(http_req *req);
int h_ctr_wait(http_req *req);
int h_ctr_pause(http_req *req);
int h_ctr_unpause(http_req *req);
int h_ctr_rename(http_req *req);
int h_ctr_delete(http_req *req);

/* h_stdio.c */
int h_ctr_attach(http_req *req);
int h_ctr_resize(http_req *req);
int h_ctr_logs(http_req *req);
int h_ctr_top(http_req *req);
/* The stream's Content-Type: raw with a tty, multiplexed without (API >= 1.42). */
const char *stdio_content_type(http_req *req, bool tty);
/* The client sent Upgrade (moby answers 101 then, 200 and a raw stream else). */
bool stdio_wants_upgrade(http_req *req);
/* Blocking send on a possibly non-blocking socket; -1 when the client is gone. */
int stdio_send_all(int fd, const char *p, size_t n);
/* Answers 200 and streams log (if any; taken), then what the shim writes
 * into a socketpair whose other end comes back in *shim_end (NULL: none). */
struct ctr_logs;
int stdio_reply_pair(http_req *req, const char *ctype, struct ctr_logs *log, int *shim_end);
/* The h and w query parameters; answers 400 and returns -1 when bad. */
int stdio_size_params(http_req *req, unsigned *h, unsigned *w);

/* h_exec.c */
int h_exec_create(http_req *req);
int h_exec_start(http_req *req);
int h_exec_resize(http_req *req);
int h_exec_inspect(http_req *req);

#endif
