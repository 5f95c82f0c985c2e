/* h_volumes.c: the volume endpoints: create, list, inspect, remove, prune.
 * Each handler translates; daemon/core/volumes.c does the work. */
#include "cleanup.h"
#include "engine.h"
#include "internal.h"
#include "jsonutil.h"
#include "volumes.h"

int h_vol_create(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *body = http_body_json(req, &err);
	if (err)
		return http_reply_error(req, err);
	if (body && !json_object_is_type(body, json_type_object))
		return http_reply_errorf(req, 400, "invalid JSON: the body must be an object");
	json_object *labels = jget(body, "Labels");
	if (labels && !json_object_is_type(labels, json_type_null) &&
	    !json_object_is_type(labels, json_type_object))
		return http_reply_errorf(req, 400, "invalid JSON: Labels must be an object of strings");
	json_object_object_foreach(jobj_or_empty(labels), lk, lv) {
		(void)lk;
		if (!json_object_is_type(lv, json_type_string))
			return http_reply_errorf(req, 400, "invalid JSON: Labels must be an object of strings");
	}
	json_object *v = vol_create(req->eng->volumes, jget_str(body, "Name"), jget_str(body, "Driver"),
				    jget(body, "DriverOpts"), jget_obj(body, "Labels"), false, &err);
	return v ? http_reply_json(req, 201, v) : http_reply_error(req, err);
}

int h_vol_list(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = vol_list(req->eng->volumes, http_query(req, "filters"), &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}

int h_vol_inspect(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = vol_inspect(req->eng->volumes, req->params[0], &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}

int h_vol_delete(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	int r = vol_remove(req->eng->volumes, req->params[0], http_query_bool(req, "force", false), &err);
	return r < 0 ? http_reply_error(req, err) : http_reply_empty(req, 204);
}

int h_vol_prune(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = vol_prune(req->eng->volumes, http_query(req, "filters"), &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}
