/* Unit tests for the daemon's configuration: copies of a loaded config are
 * taken and freed by many threads at once (every /info, every pull does),
 * and json-c's reference counts are not atomic, so a copy must share no
 * json object with the original. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "jsonutil.h"

#define THREADS 8
#define ROUNDS 20000

static engine_config *base;
static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER;

/* What engine_config_get and its callers do: copy under the lock, use and
 * free outside it. */
static void *copy_and_free(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&base_lock);
		engine_config *c = config_dup(base);
		pthread_mutex_unlock(&base_lock);
		(void)jget_int(c->file, "max-concurrent-downloads", 3);
		config_free(c);
	}
	return NULL;
}

START_TEST(test_copies_share_nothing)
{
	char path[] = "/tmp/engine-config-test-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char text[] = "{\"max-concurrent-downloads\": 2, \"labels\": [\"a=b\"]}";
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	_cleanup_err_ err_t *err = NULL;
	base = config_new_defaults();
	ck_assert_int_eq(config_load_file(base, path, true, &err), 0);
	unlink(path);
	ck_assert_ptr_nonnull(base->file);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, copy_and_free, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	/* The original's file object is still ours alone: one put frees it. */
	engine_config *c = config_dup(base);
	ck_assert_ptr_ne(c->file, base->file);
	config_free(c);
	ck_assert_int_eq(json_object_put(base->file), 1);
	base->file = NULL;
	config_free(base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("copies");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_copies_share_nothing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
