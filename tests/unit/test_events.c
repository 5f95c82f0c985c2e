/* Unit tests for the event ring: wrap-around, journal replay, seeking by
 * time, followers woken across threads, and the events filter rules. */
#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "event_filter.h"
#include "events.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "xalloc.h"

static json_object *attrs1(const char *k, const char *v)
{
	json_object *a = json_object_new_object();
	jset_str(a, k, v);
	return a;
}

START_TEST(test_wraps_at_capacity)
{
	_cleanup_err_ err_t *err = NULL;
	events_ring *r = events_open(NULL, 1000, &err);
	events_sub *s = events_subscribe(r);
	events_sub_seek(s, 0);
	for (int i = 0; i < 1500; i++)
		events_publish_at(r, "container", "start", "id", NULL, 1000 + i);
	ck_assert_uint_eq(events_count(r), 1000);
	event *got[2000];
	size_t n = 0, k;
	while ((k = events_sub_take(s, got + n, 100)) > 0)
		n += k;
	ck_assert_uint_eq(n, 1000);
	ck_assert_int_eq(got[0]->time_nano, 1500);  /* the oldest 500 are gone */
	ck_assert_int_eq(got[999]->time_nano, 2499);
	for (size_t i = 0; i < n; i++)
		event_unref(got[i]);
	events_unsubscribe(s);
	events_close(r);
}
END_TEST

START_TEST(test_journal_survives_reopen_and_torn_lines)
{
	_cleanup_err_ err_t *err = NULL;
	char dir[] = "/tmp/engine-ev-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	_cleanup_free_ char *path = fs_path_join(dir, "events.jsonl");
	events_ring *r = events_open(path, 10, &err);
	for (int i = 0; i < 25; i++)
		events_publish_at(r, "image", "tag", "sha256:x", attrs1("name", "busybox:latest"), 100 + i);
	events_close(r);
	/* A torn last line (a crash mid-write) is skipped on replay. */
	FILE *f = fopen(path, "a");
	fputs("999 {\"Type\":\"imag", f);
	fclose(f);
	r = events_open(path, 10, &err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(events_count(r), 10);
	events_sub *s = events_subscribe(r);
	events_sub_seek(s, 0);
	event *got[16];
	size_t n = events_sub_take(s, got, 16);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(got[0]->time_nano, 115);
	ck_assert_str_eq(jget_str(got[9]->attrs, "name"), "busybox:latest");
	/* Sequence numbers keep growing across the restart. */
	uint64_t last = got[9]->seq;
	for (size_t i = 0; i < n; i++)
		event_unref(got[i]);
	events_publish(r, "image", "untag", "sha256:x", NULL);
	ck_assert_uint_eq(events_sub_take(s, got, 16), 1);
	ck_assert_uint_gt(got[0]->seq, last);
	event_unref(got[0]);
	events_unsubscribe(s);
	events_close(r);
	fs_rm_rf(dir, &err);
}
END_TEST

START_TEST(test_seek_since)
{
	_cleanup_err_ err_t *err = NULL;
	events_ring *r = events_open(NULL, 100, &err);
	for (int i = 0; i < 10; i++)
		events_publish_at(r, "container", "die", "c", NULL, i * 10);
	events_sub *s = events_subscribe(r);
	event *got[16];
	ck_assert_uint_eq(events_sub_take(s, got, 16), 0); /* new ones only by default */
	events_sub_seek(s, 45);
	size_t n = events_sub_take(s, got, 16);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(got[0]->time_nano, 50);
	for (size_t i = 0; i < n; i++)
		event_unref(got[i]);
	events_unsubscribe(s);
	events_close(r);
}
END_TEST

typedef struct follower {
	events_ring *r;
	events_sub *s;
	int seen;
} follower;

static void *follow(void *arg)
{
	follower *f = arg;
	while (f->seen < 200) {
		struct pollfd p = {.fd = events_sub_fd(f->s), .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			break;
		event *got[64];
		size_t n = events_sub_take(f->s, got, 64);
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_eq(got[i]->time_nano, f->seen);
			f->seen++;
			event_unref(got[i]);
		}
	}
	return NULL;
}

START_TEST(test_concurrent_followers)
{
	_cleanup_err_ err_t *err = NULL;
	events_ring *r = events_open(NULL, 1000, &err);
	follower fs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		fs[i] = (follower){.r = r, .s = events_subscribe(r)};
		pthread_create(&th[i], NULL, follow, &fs[i]);
	}
	for (int i = 0; i < 200; i++)
		events_publish_at(r, "network", "create", "n", NULL, i);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(fs[i].seen, 200);
		events_unsubscribe(fs[i].s);
	}
	events_close(r);
}
END_TEST

START_TEST(test_wire_shape)
{
	_cleanup_err_ err_t *err = NULL;
	events_ring *r = events_open(NULL, 10, &err);
	json_object *a = json_object_new_object();
	jset_str(a, "name", "web");
	jset_str(a, "image", "busybox");
	events_publish_at(r, "container", "start", "abc", a, 1700000000123456789LL);
	events_sub *s = events_subscribe(r);
	events_sub_seek(s, 0);
	event *e;
	ck_assert_uint_eq(events_sub_take(s, &e, 1), 1);
	ck_assert_str_eq(e->line,
		"{\"status\":\"start\",\"id\":\"abc\",\"from\":\"busybox\",\"Type\":\"container\","
		"\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"image\":\"busybox\","
		"\"name\":\"web\"}},\"scope\":\"local\",\"time\":1700000000,\"timeNano\":1700000000123456789}");
	event_unref(e);
	events_unsubscribe(s);
	events_close(r);
}
END_TEST

static bool matches(const char *filters, const char *type, const char *action, const char *id,
		    json_object *attrs)
{
	_cleanup_err_ err_t *err = NULL;
	event_query q;
	ck_assert_int_eq(event_query_parse(&q, NULL, NULL, filters, &err), 0);
	events_ring *r = events_open(NULL, 10, &err);
	events_publish_at(r, type, action, id, attrs, 5);
	events_sub *s = events_subscribe(r);
	events_sub_seek(s, 0);
	event *e;
	events_sub_take(s, &e, 1);
	bool m = event_query_match(&q, e);
	event_unref(e);
	events_unsubscribe(s);
	events_close(r);
	event_query_free(&q);
	return m;
}

START_TEST(test_filters)
{
	ck_assert(matches("{\"type\":{\"container\":true}}", "container", "start", "abc", NULL));
	ck_assert(!matches("{\"type\":{\"image\":true}}", "container", "start", "abc", NULL));
	/* Values of one key are ORed, keys ANDed. */
	ck_assert(matches("{\"event\":[\"stop\",\"start\"]}", "container", "start", "abc", NULL));
	ck_assert(!matches("{\"event\":[\"stop\"],\"type\":[\"container\"]}", "container", "start", "abc", NULL));
	/* container matches the ID by prefix or the name. */
	ck_assert(matches("{\"container\":[\"ab\"]}", "container", "start", "abc", NULL));
	ck_assert(matches("{\"container\":[\"web\"]}", "container", "start", "abc", attrs1("name", "web")));
	ck_assert(!matches("{\"container\":[\"db\"]}", "container", "start", "abc", attrs1("name", "web")));
	/* image matches with or without the tag. */
	ck_assert(matches("{\"image\":[\"busybox\"]}", "container", "start", "abc", attrs1("image", "busybox:latest")));
	ck_assert(matches("{\"image\":[\"busybox:latest\"]}", "image", "tag", "sha256:1", attrs1("name", "busybox:latest")));
	/* labels: key alone or key=value; every label must hold. */
	ck_assert(matches("{\"label\":[\"team\"]}", "container", "start", "abc", attrs1("team", "core")));
	ck_assert(matches("{\"label\":[\"team=core\"]}", "container", "start", "abc", attrs1("team", "core")));
	ck_assert(!matches("{\"label\":[\"team=web\"]}", "container", "start", "abc", attrs1("team", "core")));
	/* exec_start matches "exec_start: sh -c x" by prefix. */
	ck_assert(matches("{\"event\":[\"exec_start\"]}", "container", "exec_start: sh", "abc", NULL));
	ck_assert(matches("{\"daemon\":[\"d1\"]}", "daemon", "reload", "d1", NULL));
}
END_TEST

START_TEST(test_filter_and_time_errors)
{
	static const char *bad_filters[] = {"{", "[]", "{\"type\":5}", "{\"type\":{\"a\":\"b\"}}",
					    "{\"nope\":[\"x\"]}", "{\"type\":[1]}", "\"x\""};
	for (size_t i = 0; i < ARRAY_SIZE(bad_filters); i++) {
		_cleanup_err_ err_t *err = NULL;
		event_query q;
		ck_assert_int_eq(event_query_parse(&q, NULL, NULL, bad_filters[i], &err), -1);
		ck_assert_int_eq(err->kind, ERR_INVALID);
		event_query_free(&q);
	}
	static const char *bad_times[] = {"x", "1x", "1.2.3", "99999999999999999999", "10q", ""};
	for (size_t i = 0; i < ARRAY_SIZE(bad_times) - 1; i++) {
		_cleanup_err_ err_t *err = NULL;
		event_query q;
		ck_assert_int_eq(event_query_parse(&q, bad_times[i], NULL, NULL, &err), -1);
		event_query_free(&q);
	}
	_cleanup_err_ err_t *err = NULL;
	event_query q;
	ck_assert_int_eq(event_query_parse(&q, "1700000000.5", "1700000001", NULL, &err), 0);
	ck_assert_int_eq(q.since_nano, 1700000000500000000LL);
	ck_assert_int_eq(q.until_nano, 1700000001000000000LL);
	event_query_free(&q);
	/* Beyond Docker: a duration or a date typed by a user. */
	ck_assert_int_eq(event_query_parse(&q, "10m", "2024-01-02T03:04:05Z", NULL, &err), 0);
	ck_assert_int_eq(q.until_nano, 1704164645000000000LL);
	ck_assert(q.since_nano > 1700000000000000000LL);
	event_query_free(&q);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("ring");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_wraps_at_capacity);
	tcase_add_test(tc, test_journal_survives_reopen_and_torn_lines);
	tcase_add_test(tc, test_seek_since);
	tcase_add_test(tc, test_concurrent_followers);
	tcase_add_test(tc, test_wire_shape);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_filter_and_time_errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
