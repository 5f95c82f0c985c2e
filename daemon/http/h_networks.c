/* h_networks.c: the /networks endpoints. Each handler reads the query and
 * body, calls one function of the network store (or, for connect and
 * disconnect, of the core, since a container is involved) and renders the
 * answer. */
#include <string.h>

#include "cleanup.h"
#include "engine.h"
#include "internal.h"
#include "jsonutil.h"
#include "network.h"
#include "networks.h"

static int reply(http_req *req, json_object *o, int status, err_t *err)
{
	return o ? http_reply_json(req, status, o) : http_reply_error(req, err);
}

int h_net_create(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *body = http_body_json(req, &err);
	if (err)
		return http_reply_error(req, err);
	json_object *o = net_create(req->eng->networks, body, &err);
	return reply(req, o, 201, err);
}

int h_net_list(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = net_list(req->eng->networks, http_query(req, "filters"), &err);
	return reply(req, o, 200, err);
}

int h_net_inspect(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = net_inspect(req->eng->networks, req->params[0], &err);
	return reply(req, o, 200, err);
}

int h_net_delete(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	int r = net_remove(req->eng->networks, req->params[0], &err);
	return r < 0 ? http_reply_error(req, err) : http_reply_empty(req, 204);
}

int h_net_prune(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = net_prune(req->eng->networks, http_query(req, "filters"), &err);
	return reply(req, o, 200, err);
}

/* {Container, EndpointConfig} / {Container, Force}. */
static json_object *container_body(http_req *req, const char **ctr)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *body = http_body_json(req, &err);
	if (err) {
		http_reply_error(req, err);
		return NULL;
	}
	*ctr = jget_str(body, "Container");
	if (!*ctr || !**ctr) {
		json_object_put(body);
		http_reply_errorf(req, 400, "container ID or name is required");
		return NULL;
	}
	return body;
}

int h_net_connect(http_req *req)
{
	const char *ctr = NULL;
	_cleanup_json_ json_object *body = container_body(req, &ctr);
	if (!body)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_net_connect(req->eng->containers, req->params[0], ctr, jget_obj(body, "EndpointConfig"), &err);
	return r < 0 ? http_reply_error(req, err) : http_reply_empty(req, 200);
}

int h_net_disconnect(http_req *req)
{
	const char *ctr = NULL;
	_cleanup_json_ json_object *body = container_body(req, &ctr);
	if (!body)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_net_disconnect(req->eng->containers, req->params[0], ctr, jget_bool(body, "Force", false), &err);
	return r < 0 ? http_reply_error(req, err) : http_reply_empty(req, 200);
}
