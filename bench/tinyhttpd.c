/* tinyhttpd.c: the server of bench/network.sh, built static and bind-mounted
 * into a busybox container, so the figures measure the network path and
 * not the server (busybox httpd forks for every connection).
 *   tinyhttpd PORT
 * A thread per connection reads one request and answers HTTP/1.0: "/big"
 * is 1 GiB of zeros, anything else a 25-byte page; then it closes. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BIG (1ll << 30)

static char zeros[1 << 16];

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	char req[4096];
	ssize_t n = read(fd, req, sizeof(req) - 1);
	if (n > 0) {
		req[n] = '\0';
		int big = strncmp(req, "GET /big ", 9) == 0;
		char head[128];
		static const char page[] = "hello from tinyhttpd ok\n\n";
		long long len = big ? BIG : (long long)sizeof(page) - 1;
		int hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nContent-Length: %lld\r\n\r\n", len);
		if (write_all(fd, head, (size_t)hl) == 0) {
			if (!big)
				write_all(fd, page, sizeof(page) - 1);
			for (long long sent = 0; big && sent < BIG; sent += sizeof(zeros))
				if (write_all(fd, zeros, sizeof(zeros)) < 0)
					break;
		}
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 4096) < 0) {
		perror("listen");
		return 1;
	}
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 64 << 10);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		pthread_t t;
		if (pthread_create(&t, &at, serve, (void *)(long)c) != 0)
			close(c);
	}
}
