/* h_system.c: /_ping, /version, /info, /system/df and the endpoints of
 * features engine leaves out (swarm, plugins, BuildKit's gRPC), answered the
 * way a Docker daemon without them answers. */
#include <string.h>

#include "engine.h"
#include "cleanup.h"
#include "internal.h"
#include "jsonutil.h"
#include "system.h"
#include "version.h"

int h_ping(http_req *req)
{
	http_reply_text(req, 200, "text/plain; charset=utf-8", strcmp(req->method, "HEAD") ? "OK" : "");
	http_add_header(req, "Builder-Version", "1");
	http_add_header(req, "Docker-Experimental", "false");
	http_add_header(req, "Swarm", "inactive");
	http_add_header(req, "Cache-Control", "no-cache, no-store, must-revalidate");
	http_add_header(req, "Pragma", "no-cache");
	return 0;
}

int h_version(http_req *req)
{
	return http_reply_json(req, 200, system_version_json(req->eng));
}

int h_info(http_req *req)
{
	return http_reply_json_text(req, 200, system_info_text(req->eng));
}

int h_system_df(http_req *req)
{
	const char **types = http_query_all(req, "type");
	_cleanup_err_ err_t *err = NULL;
	json_object *o = system_df_json(req->eng, types, &err);
	free(types);
	if (!o)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, o);
}

int h_swarm_unavailable(http_req *req)
{
	return http_reply_errorf(req, 503,
		"This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.");
}

int h_plugins_list(http_req *req)
{
	return http_reply_json(req, 200, json_object_new_array());
}

int h_buildkit_unsupported(http_req *req)
{
	return http_reply_errorf(req, 501,
		"BuildKit is not supported by engine: use the classic builder (DOCKER_BUILDKIT=0)");
}
