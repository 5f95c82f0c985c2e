/* fuzz_template.c: libFuzzer harness for the template engine. The input is
 * a --format value; it is parsed as docker would (tmpl_docker_source) and,
 * when it parses, run over data of every JSON kind, normally and in the
 * table header pass, with TMPL_LIMITED so that loops end. Any crash, leak
 * or sanitizer report is a bug; errors are expected. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "template.h"
#include "xalloc.h"

static const char DATA[] =
	"{\"ID\":\"0123456789ab\",\"Names\":[\"web\",\"db\"],\"Size\":1234567,\"F\":-0.5,"
	"\"B\":true,\"N\":null,\"Labels\":{\"com.x\":\"y\",\"a\":\"b\"},\"E\":[],\"O\":{},"
	"\"Deep\":{\"A\":{\"B\":[1,[2,{\"C\":\"d\"}]]}},\"Big\":1e300,\"Neg\":-9223372036854775808}";

static void exec_once(const tmpl_t *t, json_object *data, unsigned flags)
{
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	_cleanup_err_ err_t *e = NULL;
	if (tmpl_exec_flags(t, data, flags | TMPL_LIMITED, &out, &e) < 0 && !e)
		abort(); /* a failure must say why */
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	_cleanup_free_ char *text = xstrndup((const char *)buf, size);
	_cleanup_free_ char *src = tmpl_docker_source(text);
	_cleanup_tmpl_ tmpl_t *t = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (tmpl_parse(src, &t, &e) < 0) {
		if (!e || strncmp(e->msg, "template: ", 10) != 0)
			abort();
		return 0;
	}
	_cleanup_json_ json_object *data = json_tokener_parse(DATA);
	exec_once(t, data, 0);
	exec_once(t, data, TMPL_HEADER);
	exec_once(t, data, TMPL_MISSINGKEY_ERROR);
	exec_once(t, NULL, 0);
	return 0;
}
