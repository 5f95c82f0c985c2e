/* Unit tests for libcommon/tabwriter. Expected texts come from Go's
 * text/tabwriter with the same settings (ASCII input, where docker/cli's fork
 * and Go's agree); the wide-character cases follow docker/cli's fork. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "tabwriter.h"

static char *run(tabwriter *tw, const char *in)
{
	strbuf out = STRBUF_INIT;
	tw_puts(tw, in);
	tw_flush(tw, &out);
	tw_free(tw);
	return sb_steal(&out);
}

#define CHECK_TW(tw, in, want)                 \
	do {                                   \
		char *got_ = run((tw), (in));  \
		ck_assert_str_eq(got_, (want)); \
		free(got_);                    \
	} while (0)

START_TEST(test_docker_table)
{
	/* docker images: TAG is padded to minwidth 10, the last column is not padded */
	CHECK_TW(tw_new_docker(),
		 "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nbusybox\tlatest\tabc123\t2 days ago\t4.26MB\n",
		 "REPOSITORY   TAG       IMAGE ID   CREATED      SIZE\n"
		 "busybox      latest    abc123     2 days ago   4.26MB\n");
	CHECK_TW(tw_new_docker(), "x\ty", "x         y");
	CHECK_TW(tw_new_docker(), "a\t\tc\n\tb\n", "a                   c\n          b\n");
}
END_TEST

START_TEST(test_go_defaults)
{
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "a\tb\tc\naa\tbbbb\tc\n", "a    b      c\naa   bbbb   c\n");
	/* a line without tabs ends every column block */
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "a\tb\nx\naaa\tb\n", "a   b\nx\naaa   b\n");
	/* Go's doc example: b and c are distinct columns, d and e are in none */
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "aaaa\tbbb\td\naa\tb\tdd\na\naa\tcccc\teee\n",
		 "aaaa   bbb   d\naa     b     dd\na\naa   cccc   eee\n");
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "no tabs\nat all", "no tabs\nat all");
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "", "");
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "\n\n", "\n\n");
	/* trailing tab-terminated cells are padded */
	CHECK_TW(tw_new(0, 8, 3, ' ', 0), "a\tb\t\n", "a   b   \n");
	CHECK_TW(tw_new(0, 8, 1, ' ', 0), "x\tx\t\nyy\tyy\t", "x  x \nyy yy");
}
END_TEST

START_TEST(test_flags_and_padchar)
{
	CHECK_TW(tw_new(0, 8, 1, '.', TW_ALIGN_RIGHT), "a\tb\tc\naa\tbbbb\tc\n", "..a....bc\n.aa.bbbbc\n");
	CHECK_TW(tw_new(0, 8, 1, '-', TW_DEBUG), "a\t\tc\n\tb\n", "a-|-|c\n--|b\n");
	CHECK_TW(tw_new(0, 8, 1, '\t', TW_ALIGN_RIGHT), "ab\tc\nabcdefgh\td\n",
		 "ab\t\tc\nabcdefgh\td\n");
	CHECK_TW(tw_new(0, 4, 0, '\t', 0), "a\tb\tc\naa\tbbbb\tc\n", "a\tb\tc\naa\tbbbbc\n");
	CHECK_TW(tw_new(0, 0, 1, '\t', 0), "a\t\tc\n\tb\n", "ac\nb\n");
}
END_TEST

START_TEST(test_pieces_and_reuse)
{
	tabwriter *tw = tw_new_docker();
	strbuf out = STRBUF_INIT;
	/* cells may arrive split anywhere */
	tw_puts(tw, "NA");
	tw_puts(tw, "ME\tST");
	tw_puts(tw, "ATUS\nweb\tUp 5 min");
	tw_puts(tw, "utes\n");
	tw_flush(tw, &out);
	ck_assert_str_eq(out.buf, "NAME      STATUS\nweb       Up 5 minutes\n");
	sb_reset(&out);
	/* a flushed writer starts afresh */
	tw_puts(tw, "a\tb\n");
	tw_flush(tw, &out);
	ck_assert_str_eq(out.buf, "a         b\n");
	tw_free(tw);
	sb_free(&out);
}
END_TEST

START_TEST(test_wide_chars)
{
	/* CJK takes two columns, combining marks none (docker's go-runewidth) */
	CHECK_TW(tw_new(0, 1, 1, ' ', 0), "\xe4\xb8\xad\xe6\x96\x87\tx\nab\ty\n",
		 "\xe4\xb8\xad\xe6\x96\x87 x\nab   y\n");
	CHECK_TW(tw_new(0, 1, 1, ' ', 0), "e\xcc\x81\tx\nab\ty\n", "e\xcc\x81  x\nab y\n");
	/* invalid UTF-8 counts one column a byte */
	CHECK_TW(tw_new(0, 1, 1, ' ', 0), "\xff\xfe\tx\nabc\ty\n", "\xff\xfe  x\nabc y\n");
}
END_TEST

START_TEST(test_many_columns)
{
	/* a line with a huge number of cells must not recurse per column */
	strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	for (int i = 0; i < 200000; i++)
		sb_puts(&in, "x\t");
	sb_puts(&in, "\n");
	for (int i = 0; i < 200000; i++)
		sb_puts(&in, "yy\t");
	tabwriter *tw = tw_new(0, 8, 1, ' ', 0);
	tw_puts(tw, in.buf);
	tw_flush(tw, &out);
	/* as Go: "x\tx\t\nyy\tyy\t" gives "x  x \nyy yy" */
	ck_assert(strncmp(out.buf, "x  x  ", 6) == 0);
	ck_assert_uint_eq(out.len, 2 * (199999 * 3 + 2) + 1);
	ck_assert(strncmp(out.buf + out.len - 5, "yy yy", 5) == 0);
	tw_free(tw);
	sb_free(&in);
	sb_free(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tabwriter");
	TCase *tc = tcase_create("tabwriter");
	tcase_add_test(tc, test_docker_table);
	tcase_add_test(tc, test_go_defaults);
	tcase_add_test(tc, test_flags_and_padchar);
	tcase_add_test(tc, test_pieces_and_reuse);
	tcase_add_test(tc, test_wide_chars);
	tcase_add_test(tc, test_many_columns);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
