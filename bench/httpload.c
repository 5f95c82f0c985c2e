/* httpload.c: requests per second against an HTTP server on a unix socket.
 * Usage: httpload SOCKET PATH CONNECTIONS REQUESTS
 * Each of CONNECTIONS threads keeps one connection alive and sends its share
 * of REQUESTS GETs one after another; prints "N req/s". */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path, *url;
static long per_conn;

static int dial(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

/* Reads one response: headers, then Content-Length bytes or chunks to 0. */
static int read_response(int fd, char *buf, size_t cap)
{
	size_t have = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, cap - have - 1);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = 0;
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		char *cl = strcasestr(buf, "Content-Length:");
		if (cl && cl < end) {
			size_t want = (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10);
			if (have >= want)
				return 0;
			continue;
		}
		if (strstr(end, "\r\n0\r\n\r\n"))
			return 0;
	}
}

static void *worker(void *arg)
{
	(void)arg;
	int fd = dial();
	char req[512], buf[1 << 16];
	int len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", url);
	for (long i = 0; i < per_conn; i++) {
		if (write(fd, req, (size_t)len) != len || read_response(fd, buf, sizeof(buf)) < 0) {
			fprintf(stderr, "request failed\n");
			exit(1);
		}
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: httpload SOCKET PATH CONNECTIONS REQUESTS\n");
		return 2;
	}
	sock_path = argv[1];
	url = argv[2];
	int conns = atoi(argv[3]);
	long total = atol(argv[4]);
	per_conn = total / conns;
	pthread_t *th = calloc((size_t)conns, sizeof(*th));
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < conns; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < conns; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%.0f req/s\n", (double)(per_conn * conns) / secs);
	free(th);
	return 0;
}
