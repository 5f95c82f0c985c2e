/* tcpload.c: load for an HTTP/1.0 server over TCP, for bench/network.sh.
 *   tcpload conn HOST PORT THREADS SECONDS      connections per second: each
 *       thread connects, sends "GET / HTTP/1.0", reads to EOF, closes, again.
 *   tcpload bulk HOST PORT PATH THREADS SECONDS  throughput: each thread
 *       downloads PATH again and again; prints MB/s (10^6 bytes).
 * Prints one number. Any failed request is an error (exit 1). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;
static const char *path = "/";
static double seconds;
static volatile int stop;

typedef struct result {
	long requests;
	long long bytes;
} result;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long one_request(char *buf, size_t cap)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&target, sizeof(target)) < 0) {
		perror("connect");
		exit(1);
	}
	char req[512];
	int len = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	if (write(fd, req, (size_t)len) != len) {
		perror("write");
		exit(1);
	}
	long long total = 0;
	ssize_t n;
	while ((n = read(fd, buf, cap)) > 0)
		total += n;
	close(fd);
	if (n < 0 || total == 0) {
		fprintf(stderr, "request failed\n");
		exit(1);
	}
	return total;
}

static void *worker(void *arg)
{
	result *r = arg;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	while (!stop) {
		r->bytes += one_request(buf, cap);
		r->requests++;
	}
	free(buf);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: tcpload conn HOST PORT THREADS SECONDS\n"
			"       tcpload bulk HOST PORT PATH THREADS SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	bool bulk = argc == 7 && !strcmp(argv[1], "bulk");
	if (!bulk && !(argc == 6 && !strcmp(argv[1], "conn")))
		return usage();
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &target.sin_addr) != 1)
		return usage();
	int a = 4;
	if (bulk)
		path = argv[a++];
	int threads = atoi(argv[a++]);
	seconds = atof(argv[a]);
	if (threads <= 0 || seconds <= 0)
		return usage();
	pthread_t *th = calloc((size_t)threads, sizeof(*th));
	result *res = calloc((size_t)threads, sizeof(*res));
	double t0 = now();
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, &res[i]);
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
	nanosleep(&ts, NULL);
	stop = 1;
	long reqs = 0;
	long long bytes = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		reqs += res[i].requests;
		bytes += res[i].bytes;
	}
	double el = now() - t0;
	if (bulk)
		printf("%.0f\n", (double)bytes / el / 1e6);
	else
		printf("%.0f\n", (double)reqs / el);
	free(th);
	free(res);
	return 0;
}
