/*
 * ceiling: the ceiling of the architecture for make bench (issue 2, §6).
 *
 * A trivial libfcgi responder with the same shape as routehook-fcgi: N
 * handler threads, each with its own FCGX_Request, accepting one at a
 * time under a mutex (libfcgi's examples/threaded.c), closing each
 * connection after its answer.  It reads the whole body and answers 200
 * with a small JSON body the size of routehook's 202, and does nothing
 * else: no signature, no JSON parse, no disk.  Behind the same nginx as
 * the responder, its req/s is the most that nginx + FastCGI + this
 * machine can give; the responder's fsync-off figure is read against it.
 *
 *	ceiling [-n THREADS]	listen socket on fd 0 (spawn-fcgi)
 *
 * Not a test and not installed: built by "make bench" only.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
handler(void *arg)
{
	static const char answer[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: application/json\r\n"
	    "\r\n"
	    "{\"status\":\"accepted\",\"id\":\"1764370053.M123456P789Q1.ceiling\"}\n";
	FCGX_Request req;
	char buf[16384];
	int rc;

	(void)arg;
	if (FCGX_InitRequest(&req, 0, 0) != 0)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		rc = FCGX_Accept_r(&req);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0)
			break;
		while (FCGX_GetStr(buf, sizeof(buf), req.in) > 0)
			;
		FCGX_PutStr(answer, (int)sizeof(answer) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	pthread_t *tids;
	long i, n = 2;
	int ch;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: ceiling [-n THREADS]\n");
			return 2;
		}
	}
	if (n < 1 || n > 1024) {
		fprintf(stderr, "ceiling: -n wants 1 to 1024\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "ceiling: FCGX_Init failed\n");
		return 1;
	}
	if ((tids = calloc((size_t)n, sizeof(*tids))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, handler, NULL) != 0) {
			perror("ceiling: pthread_create");
			return 1;
		}
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	return 0;
}
