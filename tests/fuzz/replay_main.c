/* replay_main.c: runs a fuzz harness over files without libFuzzer, so the
 * seed corpus (and any crash file) replays in the normal test suite. Each
 * argument is a file or a directory of files. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	err_t *e = NULL;
	if (fs_read_file(path, 64 << 20, &buf, &n, &e) < 0) {
		fprintf(stderr, "%s: %s\n", path, err_msg(e));
		err_free(&e);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
	return 0;
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	_cleanup_closedir_ DIR *d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	int r = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = fs_path_join(path, de->d_name);
		if (run_path(p, count) < 0)
			r = -1;
	}
	return r;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int r = 0;
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			r = 1;
	printf("replayed %zu inputs\n", count);
	return r;
}
