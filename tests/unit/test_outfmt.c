/* Unit tests for libcommon/outfmt: docker's --format flow for lists. The
 * table layout is what `docker ps --format 'table ...'` prints. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "err.h"
#include "jsonutil.h"
#include "outfmt.h"
#include "strbuf.h"

static const char *HEADER = "{\"ID\":\"CONTAINER ID\",\"Image\":\"IMAGE\",\"Names\":\"NAMES\",\"Status\":\"STATUS\"}";
static const char *ROWS[] = {
	"{\"ID\":\"0123456789ab\",\"Image\":\"busybox\",\"Names\":[\"web\"],\"Status\":\"Up 5 minutes\"}",
	"{\"ID\":\"ba9876543210\",\"Image\":\"docker.io/library/nginx:latest\",\"Names\":[\"a\",\"b\"],"
	"\"Status\":\"Exited (0) 2 seconds ago\"}",
};

static char *render(const char *format)
{
	_cleanup_outfmt_ outfmt *f = NULL;
	_cleanup_err_ err_t *e = NULL;
	strbuf out = STRBUF_INIT;
	if (outfmt_new(format, &f, &e) < 0) {
		sb_printf(&out, "ERR %s", e->msg);
		return sb_steal(&out);
	}
	for (size_t i = 0; i < 2; i++) {
		_cleanup_json_ json_object *row = json_tokener_parse(ROWS[i]);
		if (outfmt_row(f, row, &e) < 0) {
			sb_printf(&out, "ERR %s", e->msg);
			return sb_steal(&out);
		}
	}
	_cleanup_json_ json_object *hdr = json_tokener_parse(HEADER);
	outfmt_finish(f, hdr, &out);
	return sb_steal(&out);
}

#define CHECK(format, want)                 \
	do {                                \
		char *got_ = render(format);  \
		ck_assert_str_eq(got_, want); \
		free(got_);                  \
	} while (0)

START_TEST(test_table)
{
	CHECK("table {{.ID}}\\t{{.Image}}\\t{{join .Names \",\"}}\\t{{.Status}}",
	      "CONTAINER ID   IMAGE                            NAMES     STATUS\n"
	      "0123456789ab   busybox                          web       Up 5 minutes\n"
	      "ba9876543210   docker.io/library/nginx:latest   a,b       Exited (0) 2 seconds ago\n");
	/* short columns still take docker's minimum width of 10 */
	CHECK("table {{.Image}}\\t{{len .Names}}",
	      "IMAGE                            5\n" /* len "NAMES", as docker prints */
	      "busybox                          1\n"
	      "docker.io/library/nginx:latest   2\n");
}
END_TEST

START_TEST(test_plain_and_json)
{
	CHECK("{{.ID}}: {{.Status}}", "0123456789ab: Up 5 minutes\nba9876543210: Exited (0) 2 seconds ago\n");
	CHECK("{{.ID}}\\t{{.Image}}", "0123456789ab\tbusybox\nba9876543210\tdocker.io/library/nginx:latest\n");
	CHECK("json", "{\"ID\":\"0123456789ab\",\"Image\":\"busybox\",\"Names\":[\"web\"],\"Status\":\"Up 5 minutes\"}\n"
		      "{\"ID\":\"ba9876543210\",\"Image\":\"docker.io/library/nginx:latest\",\"Names\":[\"a\",\"b\"],"
		      "\"Status\":\"Exited (0) 2 seconds ago\"}\n");
}
END_TEST

START_TEST(test_errors)
{
	CHECK("{{.ID}", "ERR template parsing error: template: :1: bad character U+007D '}'");
	CHECK("{{index .Names 5}}", "ERR template parsing error: template: :1:2: executing \"\" at "
				    "<index .Names 5>: error calling index: index out of range: 5");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outfmt");
	TCase *tc = tcase_create("outfmt");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_plain_and_json);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
