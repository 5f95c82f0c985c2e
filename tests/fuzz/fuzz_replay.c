/* fuzz_replay.c: the main() of a fuzz harness built without libFuzzer: it
 * feeds every file named on the command line (or found in the directories
 * named) to LLVMFuzzerTestOneInput once, so the seed corpus runs in the
 * normal test suite, under ASan/UBSan in the sanitizer build. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "err.h"
#include "fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (fs_read_file(path, 1 << 24, &buf, &len, &e) < 0) {
		fprintf(stderr, "%s\n", err_msg(e));
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	return 0;
}

static int run_path(const char *path, int *n)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		(*n)++;
		return run_file(path);
	}
	_cleanup_closedir_ DIR *d = opendir(path);
	struct dirent *de;
	int r = 0;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = fs_path_join(path, de->d_name);
		r |= run_path(p, n);
	}
	return r;
}

int main(int argc, char **argv)
{
	int n = 0, r = 0;
	for (int i = 1; i < argc; i++)
		r |= run_path(argv[i], &n);
	printf("replayed %d inputs\n", n);
	return r ? 1 : 0;
}
