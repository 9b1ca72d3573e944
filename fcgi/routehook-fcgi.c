/*
 * routehook-fcgi: the web-facing half of routehook.  A FastCGI (or plain
 * CGI) responder that checks each POSTed event's signature and JSON and
 * stores it durably in the spool for routehook-worker; the answer to one
 * request is request_handle()'s business (request.c).  This file only
 * wires things together: options, configuration, the listen socket,
 * signals, the handler threads.
 *
 * Where requests come from, first match wins:
 *	-s unix:PATH | -s tcp:HOST:PORT		a socket we open ourselves
 *	LISTEN_PID = our pid, LISTEN_FDS >= 1	systemd socket activation, fd 3
 *	fd 0 is a listening socket		spawn-fcgi, or the web server
 *	REQUEST_METHOD set			plain CGI: one request, then exit
 *
 * Handler threads follow libfcgi's examples/threaded.c: FCGX_Init once,
 * per thread FCGX_InitRequest, then accept (one thread at a time, under a
 * mutex), answer, finish.  There are -n of them, and more while none is
 * free (up to HANDLER_GROWTH times -n): with Apache's mod_proxy_fcgi a
 * handler reads the body as the client sends it, and slow clients would
 * otherwise hold every handler while the requests behind them wait.  Instead of blocking in accept(2), a thread
 * polls the listen socket (non-blocking) together with a self-pipe that
 * the SIGTERM/SIGINT handler writes to, so a signal wakes every idle
 * thread; a thread busy with a request finishes it first.  Then the
 * process exits 0.  Each connection is closed after its answer, even one
 * the web server asked to keep (fastcgi_keep_conn): a thread parked on an
 * idle connection would be a thread not accepting.
 *
 * Failures: usage and configuration errors print "FILE:LINE: message"
 * lines and exit 100; a spool or socket that cannot be opened exits 111
 * (try again later).  Once running, nothing a client sends stops the
 * process.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "atomicfile.h"
#include "conf.h"
#include "log.h"
#include "request.h"
#include "spool.h"
#include "version.h"

#define PROG			"routehook-fcgi"
/*
 * Concurrent fsyncs share the filesystem journal's commits, so more
 * handlers than cores still raises durable throughput; 16 until the
 * benchmark (issue 2, section 6) says otherwise.
 */
#define DEFAULT_HANDLERS	16
#define MAX_HANDLERS		1024
/*
 * While no handler is free, another is started, up to this many times
 * -n: a client that sends its body slowly holds its handler for up to
 * receiver.read_timeout_ms, and the requests queued behind it must not
 * wait for that.  The extra handlers end once they are not needed.
 */
#define HANDLER_GROWTH		16	/* but never above MAX_HANDLERS */
#define SD_LISTEN_FDS_START	3	/* sd_listen_fds(3) */

static struct responder	 responder;
static int		 listen_fd = -1;
static int		 stop_pipe[2] = { -1, -1 };
static pthread_mutex_t	 accept_lock = PTHREAD_MUTEX_INITIALIZER;

/* The handler pool: how many run, how many are free, the bounds. */
static pthread_mutex_t	 pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 pool_empty = PTHREAD_COND_INITIALIZER;
static int		 pool_threads, pool_idle, pool_base, pool_max;
static int		 pool_warned;

/* The unix socket we bound with -s, removed at exit if still ours. */
static char		*bound_path;
static dev_t		 bound_dev;
static ino_t		 bound_ino;

static const char usage_text[] =
"usage: " PROG " [-tv] [-c FILE | --config FILE] [-s unix:PATH|tcp:HOST:PORT]\n"
"       [-n HANDLERS] [-l stderr|syslog]\n"
"       " PROG " -h | --help\n"
"       " PROG " -V | --version\n"
"\n"
"Receives routing events POSTed by Genesys Cloud (or any sender holding\n"
"the webhook secret) through a web server, checks each one's HMAC-SHA256\n"
"signature and that it is one JSON object, and stores it in the spool for\n"
"routehook-worker.  It answers 202 only once the event is on disk.\n"
"\n"
"  -c, --config FILE\n"
"             the configuration file.  Without -c: $ROUTEHOOK_CONFIG,\n"
"             else /etc/routehook/routehook.conf.  Only the receiver's\n"
"             secret files are read; never the OAuth client secret.\n"
"  -t         check the configuration and the secret files, print\n"
"             \"configuration OK\" and exit.\n"
"  -s ADDR    listen on unix:PATH (a stale socket there is replaced; its\n"
"             mode follows the umask) or tcp:HOST:PORT.  Without -s the\n"
"             listen socket is inherited: from systemd socket activation\n"
"             (LISTEN_FDS), else on fd 0 (spawn-fcgi, the web server).\n"
"             With none of these and REQUEST_METHOD set, it answers one\n"
"             request as a plain CGI program.\n"
"  -n N       handler threads to start (default 16); while none is free\n"
"             more are started, up to 16 times N (at most 1024).\n"
"  -l WHERE   log to stderr (default) or syslog (facility daemon).\n"
"  -v         also log every accepted event; rejected ones always are.\n"
"  -h, --help     this help.\n"
"  -V, --version  print the version and exit.\n"
"\n"
"Requests: POST to any path is an event: 202 {\"status\":\"accepted\",\n"
"\"id\":...}, or 400 (bad body), 401 (signature), 408 (body slower than\n"
"receiver.read_timeout_ms), 411 (no length), 413 (larger than\n"
"receiver.max_body_bytes), 503 + Retry-After (spool unusable).\n"
"GET MOUNT/health (MOUNT is receiver.mount, the path exactly): spool\n"
"counts, 503 when events cannot be stored.  GET MOUNT/metrics:\n"
"Prometheus text.  Anything else: 405.\n"
"SIGTERM or SIGINT: finish the requests in progress, then exit.\n"
"\n"
"Exit status: 0 stopped by a signal, or the CGI request was answered;\n"
"100 usage or configuration error (do not retry); 111 temporary failure,\n"
"the spool or the socket could not be opened (try again later).\n";

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-tv] [-c FILE] [-s unix:PATH|tcp:HOST:PORT] "
	    "[-n HANDLERS] [-l stderr|syslog]\n"
	    "try '%s -h' for more\n", PROG, PROG);
	exit(EXIT_PERM);
}

/* --- signals ---------------------------------------------------------- */

static void
on_stop(int sig)
{
	int saved = errno;

	/* Both are async-signal-safe: a flag, and write(2). */
	FCGX_ShutdownPending();
	if (write(stop_pipe[1], "x", 1) == -1) {
		/* Full pipe: a byte is already there, which is enough. */
	}
	errno = saved;
}

static void
setup_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe(stop_pipe) == -1)
		log_fatal(EXIT_TEMP, "pipe");
	for (i = 0; i < 2; i++)
		if (fcntl(stop_pipe[i], F_SETFL, O_NONBLOCK) == -1 ||
		    fcntl(stop_pipe[i], F_SETFD, FD_CLOEXEC) == -1)
			log_fatal(EXIT_TEMP, "fcntl");

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		log_fatal(EXIT_TEMP, "sigaction");
	/* A web server that hangs up must not kill us mid-write. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		log_fatal(EXIT_TEMP, "sigaction");
}

/* --- the listen socket -------------------------------------------------- */

static int
is_listening_socket(int fd)
{
	socklen_t len;
	int val = 0;

	/*
	 * SO_ACCEPTCONN is exact where FCGX_IsCGI()'s getpeername() test
	 * would also take a closed fd 0 or an unconnected socket for CGI.
	 */
	len = sizeof(val);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &val, &len) == -1)
		return 0;
	return val != 0;
}

/* fd 3 when systemd passed us sockets (sd_listen_fds(3)), else -1. */
static int
systemd_socket(void)
{
	const char *spid = getenv("LISTEN_PID"), *sfds = getenv("LISTEN_FDS");
	char *end;
	long pid, nfds;

	if (spid == NULL || sfds == NULL)
		return -1;
	errno = 0;
	pid = strtol(spid, &end, 10);
	if (errno != 0 || end == spid || *end != '\0' || pid != (long)getpid())
		return -1;
	nfds = strtol(sfds, &end, 10);
	if (errno != 0 || end == sfds || *end != '\0' || nfds < 1)
		return -1;
	if (!is_listening_socket(SD_LISTEN_FDS_START)) {
		log_warnx("LISTEN_FDS is set but fd %d is not a listening "
		    "socket; ignored", SD_LISTEN_FDS_START);
		return -1;
	}
	if (nfds > 1)
		log_warnx("systemd passed %ld sockets; only fd %d is used",
		    nfds, SD_LISTEN_FDS_START);
	/* Not for any child: the variables name our pid and fds. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return SD_LISTEN_FDS_START;
}

/*
 * Our own socket(2)/bind(2)/listen(2) rather than FCGX_OpenSocket(),
 * which exit()s with errno as the status and perror()s on failure, and so
 * would bypass both our log and our exit codes.
 */
static int
open_unix(const char *path)
{
	struct sockaddr_un sau;
	struct stat st;
	int fd, probe;

	memset(&sau, 0, sizeof(sau));
	sau.sun_family = AF_UNIX;
	if (*path == '\0' || strlen(path) >= sizeof(sau.sun_path))
		log_fatalx(EXIT_PERM, "-s unix:%s: path empty or too long",
		    path);
	memcpy(sau.sun_path, path, strlen(path) + 1);

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			log_fatalx(EXIT_PERM, "%s exists and is not a socket",
			    path);
		/* A socket nobody answers on is left over from a crash. */
		if ((probe = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			log_fatal(EXIT_TEMP, "socket");
		if (connect(probe, (struct sockaddr *)&sau, sizeof(sau)) == 0)
			log_fatalx(EXIT_TEMP, "%s: another process is "
			    "listening there", path);
		close(probe);
		if (unlink(path) == -1 && errno != ENOENT)
			log_fatal(EXIT_TEMP, "cannot remove stale socket %s",
			    path);
	} else if (errno != ENOENT)
		log_fatal(EXIT_TEMP, "%s", path);

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		log_fatal(EXIT_TEMP, "socket");
	if (bind(fd, (struct sockaddr *)&sau, sizeof(sau)) == -1)
		log_fatal(EXIT_TEMP, "bind %s", path);
	if (listen(fd, SOMAXCONN) == -1)
		log_fatal(EXIT_TEMP, "listen %s", path);
	if (lstat(path, &st) == -1)
		log_fatal(EXIT_TEMP, "%s", path);
	if ((bound_path = strdup(path)) == NULL)
		log_fatal(EXIT_TEMP, "strdup");
	bound_dev = st.st_dev;
	bound_ino = st.st_ino;
	return fd;
}

static int
open_tcp(const char *hostport)
{
	struct addrinfo hints, *res, *ai;
	char *copy, *host, *port;
	int fd = -1, on = 1, rc, saved = 0;

	if ((copy = strdup(hostport)) == NULL)
		log_fatal(EXIT_TEMP, "strdup");
	if ((port = strrchr(copy, ':')) == NULL || port[1] == '\0')
		log_fatalx(EXIT_PERM, "-s tcp:%s: want tcp:HOST:PORT", hostport);
	*port++ = '\0';
	host = copy;
	/* [::1]:9000 */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(*host != '\0' ? host : NULL, port, &hints,
	    &res)) != 0)
		log_fatalx(rc == EAI_AGAIN ? EXIT_TEMP : EXIT_PERM,
		    "-s tcp:%s: %s", hostport, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1) {
			saved = errno;
			continue;
		}
		/* Restart at once, without waiting out TIME_WAIT. */
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == -1 ||
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
		    listen(fd, SOMAXCONN) == -1) {
			saved = errno;
			close(fd);
			fd = -1;
			continue;
		}
		break;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		errno = saved;
		log_fatal(EXIT_TEMP, "cannot listen on tcp:%s", hostport);
	}
	free(copy);
	return fd;
}

static int
open_listener(const char *addr)
{
	if (strncmp(addr, "unix:", 5) == 0)
		return open_unix(addr + 5);
	if (strncmp(addr, "tcp:", 4) == 0)
		return open_tcp(addr + 4);
	log_fatalx(EXIT_PERM, "-s %s: want unix:PATH or tcp:HOST:PORT", addr);
}

static void
remove_bound_socket(void)
{
	struct stat st;

	if (bound_path == NULL)
		return;
	/* Only if no newer instance has replaced it meanwhile. */
	if (lstat(bound_path, &st) == 0 && st.st_dev == bound_dev &&
	    st.st_ino == bound_ino && unlink(bound_path) == -1)
		log_warn("cannot remove %s", bound_path);
	free(bound_path);
	bound_path = NULL;
}

/* --- the transports ------------------------------------------------------ */

static const char *
fcgi_param(void *ctx, const char *name)
{
	FCGX_Request *req = ctx;

	return FCGX_GetParam(name, req->envp);
}

/*
 * libfcgi reads with blocking read(2)s and no timeout of its own, and
 * FCGX_GetStr() loops until it has all it was asked for.  So: bytes it
 * already holds are taken without any I/O; otherwise one byte is asked
 * for, with SO_RCVTIMEO set to the time left, so that the few read(2)s
 * libfcgi makes to get one record each wait no longer than that.  A read
 * that times out leaves the input stream in error (EAGAIN), which is
 * what tells a timeout from the end of the body.
 */
static ssize_t
fcgi_read(void *ctx, void *buf, size_t n, int timeout_ms)
{
	FCGX_Request *req = ctx;
	FCGX_Stream *in = req->in;
	struct timeval tv;
	size_t held;
	int got, e;

	held = in->rdNext != NULL && in->stop > in->rdNext ?
	    (size_t)(in->stop - in->rdNext) : 0;
	if (held == 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		if (setsockopt(req->ipcFd, SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof(tv)) == -1)
			return -1;
		n = 1;
	} else if (n > held)
		n = held;
	got = FCGX_GetStr(buf, n > INT_MAX ? INT_MAX : (int)n, in);
	if (got > 0)
		return got;
	e = FCGX_GetError(in);
	if (e == EAGAIN || e == EWOULDBLOCK)
		return REQUEST_READ_TIMEOUT;
	return got < 0 || e != 0 ? -1 : 0;
}

static int
fcgi_write(void *ctx, const void *buf, size_t n)
{
	FCGX_Request *req = ctx;

	if (n > INT_MAX)
		return -1;
	return FCGX_PutStr(buf, (int)n, req->out) == (int)n ? 0 : -1;
}

static const char *
cgi_param(void *ctx, const char *name)
{
	return getenv(name);
}

static ssize_t
cgi_read(void *ctx, void *buf, size_t n, int timeout_ms)
{
	struct pollfd pfd;
	ssize_t r;
	int k;

	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		k = poll(&pfd, 1, timeout_ms);
	while (k == -1 && errno == EINTR);
	if (k == 0)
		return REQUEST_READ_TIMEOUT;
	if (k == -1)
		return -1;
	do
		r = read(STDIN_FILENO, buf, n);
	while (r == -1 && errno == EINTR);
	return r;
}

static int
cgi_write(void *ctx, const void *buf, size_t n)
{
	return write_all(STDOUT_FILENO, buf, n);
}

/*
 * After an early answer (411, 413) the body is still unread.  Apache's
 * mod_cgid hands it to us over a socket, and exiting with bytes unread
 * makes the kernel reset that socket, losing our answer (already written).
 * So read and discard what the client sends, bounded in bytes and by one
 * second of silence, so that a stalled client cannot keep us around.
 */
#define CGI_DRAIN_MAX		(4L * 1024 * 1024)
#define CGI_DRAIN_IDLE_MS	1000

static void
cgi_drain(void)
{
	struct pollfd pfd;
	char buf[8192];
	long total = 0;
	ssize_t r;
	int n;

	while (total < CGI_DRAIN_MAX) {
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, CGI_DRAIN_IDLE_MS);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r = cgi_read(NULL, buf, sizeof(buf), CGI_DRAIN_IDLE_MS);
		if (r <= 0)
			break;
		total += r;
	}
}

/* --- handler threads ----------------------------------------------------- */

/* 1: fd is readable (or has an error to report), 0: stop, -1: poll failed */
static int
wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd[2];
	int n;

	for (;;) {
		pfd[0].fd = stop_pipe[0];
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = fd;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		if ((n = poll(pfd, fd >= 0 ? 2 : 1, timeout_ms)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[0].revents != 0)
			return 0;
		if (n == 0 || pfd[1].revents != 0)
			return 1;
	}
}

static void	*handler_main(void *);

static void
pool_lock_or_die(void)
{
	if ((errno = pthread_mutex_lock(&pool_lock)) != 0)
		log_fatal(EXIT_TEMP, "pthread_mutex_lock");
}

static void
pool_unlock_or_die(void)
{
	if ((errno = pthread_mutex_unlock(&pool_lock)) != 0)
		log_fatal(EXIT_TEMP, "pthread_mutex_unlock");
}

/*
 * Start one detached handler, counted as free; the caller holds
 * pool_lock.  -1 when the system refuses: the pool then stays as it is.
 */
static int
pool_start(void)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if ((rc = pthread_attr_init(&attr)) == 0) {
		if ((rc = pthread_attr_setdetachstate(&attr,
		    PTHREAD_CREATE_DETACHED)) == 0)
			rc = pthread_create(&tid, &attr, handler_main, NULL);
		(void)pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pool_threads++;
	pool_idle++;
	return 0;
}

/* A handler took a request: if none is left free, start one. */
static void
pool_busy(void)
{
	pool_lock_or_die();
	pool_idle--;
	if (pool_idle == 0 && pool_threads < pool_max &&
	    pool_start() == -1 && !pool_warned) {
		pool_warned = 1;
		log_warn("cannot start another handler (%d running)",
		    pool_threads);
	}
	pool_unlock_or_die();
}

/* A handler is done with a request: 1 when it should end, being extra. */
static int
pool_free(void)
{
	int retire;

	pool_lock_or_die();
	retire = pool_threads > pool_base && pool_idle > 0;
	if (!retire)
		pool_idle++;
	pool_unlock_or_die();
	return retire;
}

/* A handler ends, free (idle) or not; the last one wakes run_threads(). */
static void
pool_leave(int idle)
{
	/*
	 * Free this thread's OpenSSL state (its error queue) now: left to
	 * the thread-exit destructor, it can run after main() has returned
	 * and OPENSSL_cleanup() has gone, and then it is never freed.
	 */
	OPENSSL_thread_stop();
	pool_lock_or_die();
	pool_threads--;
	if (idle)
		pool_idle--;
	if (pool_threads == 0 &&
	    (errno = pthread_cond_signal(&pool_empty)) != 0)
		log_fatal(EXIT_TEMP, "pthread_cond_signal");
	pool_unlock_or_die();
}

static void *
handler_main(void *arg)
{
	FCGX_Request req;
	struct request_io io;
	char eb[128];
	int rc, w, idle = 1;

	if (FCGX_InitRequest(&req, listen_fd, 0) != 0) {
		log_warnx("FCGX_InitRequest failed");
		pool_leave(1);
		return NULL;
	}
	io.ctx = &req;
	io.param = fcgi_param;
	io.read = fcgi_read;
	io.write = fcgi_write;

	for (;;) {
		rc = 0;
		if ((errno = pthread_mutex_lock(&accept_lock)) != 0)
			log_fatal(EXIT_TEMP, "pthread_mutex_lock");
		if ((w = wait_readable(listen_fd, -1)) == 1)
			rc = FCGX_Accept_r(&req);
		if ((errno = pthread_mutex_unlock(&accept_lock)) != 0)
			log_fatal(EXIT_TEMP, "pthread_mutex_unlock");
		if (w == 0)
			break;
		if (w == -1 || rc < 0) {
			/*
			 * Another process can take the connection between
			 * our poll() and accept(): the socket is
			 * non-blocking, so that is EAGAIN, not a hang.
			 */
			if (w == 1 && (rc == -EAGAIN || rc == -EWOULDBLOCK ||
			    rc == -EINTR || rc == -ECONNABORTED))
				continue;
			/* libfcgi fails accepts once shutdown is pending. */
			if (wait_readable(-1, 0) == 0)
				break;
			if (w == -1)
				log_warn("poll");
			else if (rc > -4096 &&
			    strerror_r(-rc, eb, sizeof(eb)) == 0)
				log_warnx("accept: %s", eb);
			else
				log_warnx("accept: libfcgi error %d", rc);
			/* EMFILE and the like: do not spin. */
			if (wait_readable(-1, 100) == 0)
				break;
			continue;
		}
		pool_busy();
		idle = 0;
		(void)request_handle(&responder, &io);
		FCGX_Finish_r(&req);
		/*
		 * A connection the web server keeps open (fastcgi_keep_conn
		 * on) is closed all the same: a thread waiting on an idle
		 * kept connection is a thread not accepting, and with as
		 * many kept connections as threads nothing new is accepted.
		 */
		if (req.ipcFd >= 0)
			FCGX_Free(&req, 1);
		if (pool_free())
			break;
		idle = 1;
	}
	FCGX_Free(&req, 0);
	pool_leave(idle);
	return NULL;
}

static int
run_threads(int nhandlers)
{
	sigset_t block, old;
	int rc, started;

	setup_signals();
	if (FCGX_Init() != 0)
		log_fatalx(EXIT_TEMP, "FCGX_Init failed");
	/*
	 * Non-blocking, so that a connection another process took between
	 * our poll() and accept() costs an EAGAIN, not a hang.  (Accepted
	 * connections do not inherit O_NONBLOCK on Linux; libfcgi wants
	 * them blocking.)
	 */
	if ((rc = fcntl(listen_fd, F_GETFL)) == -1 ||
	    fcntl(listen_fd, F_SETFL, rc | O_NONBLOCK) == -1)
		log_fatal(EXIT_TEMP, "fcntl on the listen socket");

	/*
	 * Signals go to the main thread only: it does nothing else.  The
	 * handlers inherit the blocked mask, and so do those they start.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if ((errno = pthread_sigmask(SIG_BLOCK, &block, &old)) != 0)
		log_fatal(EXIT_TEMP, "pthread_sigmask");
	pool_lock_or_die();
	pool_base = nhandlers;
	pool_max = nhandlers > MAX_HANDLERS / HANDLER_GROWTH ? MAX_HANDLERS :
	    nhandlers * HANDLER_GROWTH;
	for (started = 0; started < nhandlers; started++)
		if (pool_start() == -1) {
			log_warn("cannot start handler %d", started + 1);
			break;
		}
	pool_unlock_or_die();
	if ((errno = pthread_sigmask(SIG_SETMASK, &old, NULL)) != 0)
		log_fatal(EXIT_TEMP, "pthread_sigmask");
	if (started < nhandlers)
		on_stop(0);	/* what started, stops; then exit 111 */

	pool_lock_or_die();
	while (pool_threads > 0)
		if ((errno = pthread_cond_wait(&pool_empty, &pool_lock)) != 0)
			log_fatal(EXIT_TEMP, "pthread_cond_wait");
	pool_unlock_or_die();
	return started < nhandlers ? EXIT_TEMP : EXIT_DONE;
}

/* --- start-up ----------------------------------------------------------- */

/* conf's "FILE:LINE: message" lines: plain on stderr, else one log line each. */
static void
config_errors(const char *err, int use_syslog)
{
	const char *p, *nl;

	if (!use_syslog) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	for (p = err; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			log_warnx("%s", p);
			break;
		}
		log_warnx("%.*s", (int)(nl - p), p);
	}
}

int
main(int argc, char *argv[])
{
	static const struct request_io cgi_io = {
		NULL, cgi_param, cgi_read, cgi_write
	};
	/* The long names the three programs share. */
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf conf;
	struct spool spool;
	struct dedup dedup;
	const char *cfile = NULL, *listen_addr = NULL, *path;
	char err[8192], *end;
	int ch, test_only = 0, verbose = 0, use_syslog = 0, rc;
	long nhandlers = DEFAULT_HANDLERS;

	while ((ch = getopt_long(argc, argv, "c:hl:n:s:tvV", long_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_DONE;
		case 'V':
			printf("%s %s\n", PROG, ROUTEHOOK_VERSION);
			return EXIT_DONE;
		case 'l':
			if (strcmp(optarg, "syslog") == 0)
				use_syslog = 1;
			else if (strcmp(optarg, "stderr") == 0)
				use_syslog = 0;
			else
				usage();
			break;
		case 'n':
			errno = 0;
			nhandlers = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    nhandlers < 1 || nhandlers > MAX_HANDLERS) {
				fprintf(stderr, "%s: -n wants 1 to %d\n", PROG,
				    MAX_HANDLERS);
				return EXIT_PERM;
			}
			break;
		case 's':
			listen_addr = optarg;
			break;
		case 't':
			test_only = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(PROG, use_syslog && !test_only);

	path = conf_path(cfile);
	if (conf_load(&conf, path, err, sizeof(err)) == -1) {
		config_errors(err, use_syslog && !test_only);
		if (test_only)
			return EXIT_PERM;
		log_fatalx(EXIT_PERM, "%s: configuration errors; not starting",
		    path);
	}
	if (secret_read_receiver(&conf, err, sizeof(err)) == -1) {
		config_errors(err, use_syslog && !test_only);
		conf_free(&conf);
		if (test_only)
			return EXIT_PERM;
		log_fatalx(EXIT_PERM, "%s: configuration errors; not starting",
		    path);
	}
	if (test_only) {
		printf("configuration OK\n");
		conf_free(&conf);
		return EXIT_DONE;
	}

	if (spool_open(&spool, conf.spool_dir.path, 1, conf.receiver.fsync,
	    err, sizeof(err)) == -1)
		log_fatalx(EXIT_TEMP, "%s", err);
	if (dedup_open(&dedup, conf.spool_dir.path,
	    conf.receiver.dedup_window_s, err, sizeof(err)) == -1)
		log_fatalx(EXIT_TEMP, "%s", err);
	responder.conf = &conf;
	responder.spool = &spool;
	responder.dedup = &dedup;
	responder.verbose = verbose;

	if (listen_addr != NULL)
		listen_fd = open_listener(listen_addr);
	else if ((listen_fd = systemd_socket()) == -1 &&
	    is_listening_socket(STDIN_FILENO))
		listen_fd = STDIN_FILENO;

	if (listen_fd == -1) {
		if (getenv("REQUEST_METHOD") == NULL)
			log_fatalx(EXIT_PERM, "no listen socket: not on fd 0, "
			    "no -s, no systemd socket, and not started as CGI "
			    "(REQUEST_METHOD unset); see -h");
		/*
		 * CGI: the server's status is in our headers, not our exit.
		 * Default signals: a server that gives up on us kills us.
		 * A vanished client is a failed write(2), not a SIGPIPE.
		 */
		if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
			log_fatal(EXIT_TEMP, "signal");
		(void)request_handle(&responder, &cgi_io);
		cgi_drain();
		rc = EXIT_DONE;
	} else
		rc = run_threads((int)nhandlers);

	if (listen_fd > STDIN_FILENO)
		close(listen_fd);
	remove_bound_socket();
	dedup_close(&dedup);
	spool_close(&spool);
	conf_free(&conf);
	return rc;
}
