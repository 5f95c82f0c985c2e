/* request.c: reading a request: query parameters (with Docker's rules for
 * booleans and integers), headers, the buffered JSON body, the peer. */
#include <errno.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "internal.h"
#include "jsonutil.h"
#include "xalloc.h"

const char *http_query(http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

typedef struct collect {
	const char *key;
	const char **vals;
	size_t n, cap;
} collect;

static enum MHD_Result collect_one(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	(void)kind;
	collect *c = cls;
	if (strcmp(k, c->key) != 0)
		return MHD_YES;
	c->vals = xgrow(c->vals, &c->cap, c->n + 2, sizeof(char *));
	c->vals[c->n++] = v ? v : "";
	c->vals[c->n] = NULL;
	return MHD_YES;
}

const char **http_query_all(http_req *req, const char *key)
{
	collect c = {.key = key};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_one, &c);
	if (!c.vals)
		c.vals = xcalloc(1, sizeof(char *));
	return c.vals;
}

bool http_query_bool(http_req *req, const char *key, bool def)
{
	const char *v = http_query(req, key);
	if (!v)
		return def;
	while (*v == ' ')
		v++;
	static const char *const falsy[] = {"", "0", "no", "false", "none"};
	for (size_t i = 0; i < ARRAY_SIZE(falsy); i++)
		if (strcasecmp(v, falsy[i]) == 0)
			return false;
	return true;
}

int http_query_int(http_req *req, const char *key, int64_t def, int64_t *out, err_t **err)
{
	const char *v = http_query(req, key);
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || !end || *end)
		return err_invalid(err, "invalid value for %s: strconv.Atoi: parsing \"%s\": invalid syntax", key, v);
	*out = n;
	return 0;
}

const char *http_header(http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

json_object *http_body_json(http_req *req, err_t **err)
{
	size_t i = 0;
	while (i < req->body.len && strchr(" \t\r\n", req->body.buf[i]))
		i++;
	if (i == req->body.len)
		return NULL;
	return json_parse_strict(req->body.buf, req->body.len, err);
}

int http_conn_fd(http_req *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

int http_peer_uid(http_req *req)
{
	int fd = http_conn_fd(req);
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	return (int)cred.uid;
}

bool http_client_gone(http_req *req)
{
	int fd = http_conn_fd(req);
	if (fd < 0)
		return true;
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};
	if (poll(&p, 1, 0) <= 0)
		return false;
	return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}
