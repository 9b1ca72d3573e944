/*
 * request: one HTTP request to the responder, whatever carried it
 * (FastCGI or plain CGI).  The transport is hidden behind struct
 * request_io, so the same code answers both and unit tests can drive it
 * with a fake.
 *
 *	POST <any path>		an event: length, signature, JSON, spool, 202
 *	GET|HEAD MOUNT/health	the spool's counts; 503 when it cannot take events
 *	GET|HEAD MOUNT/metrics	Prometheus text
 *	anything else		405
 *
 * MOUNT is receiver.mount ("/routehook"), and the paths are matched
 * exactly, byte for byte as the client sent them: the web server's
 * snippet keeps MOUNT/metrics to the addresses it allows, and a path that
 * merely ends in "/metrics" (MOUNT/x/metrics, MOUNT/metrics/) must not
 * reach the page by another way.
 *
 * Order of checks on POST, cheapest and least trusting first: the
 * Content-Length (413 before a byte of the body is read), the body
 * (exactly Content-Length bytes, 400 when fewer arrive, 408 when they do
 * not all arrive within receiver.read_timeout_ms: a slow client holds a
 * handler thread that long at most), the sender's
 * credentials (auth.h; 401: nothing unauthenticated is parsed), then the
 * JSON (400, by the worker's own check, jobject_parse()), the event's own
 * time (400 naming the missing field, unless receiver.require_event_time
 * is off), the replay record (dedup.h: a replay is answered 200 with the
 * first event's id and not stored), then spool_commit() (503 with
 * Retry-After when the spool cannot take it).
 * Every answer is a small JSON document with a Status: header, and every
 * rejection is one log line naming status, reason and remote address;
 * never the body, never a signature or secret.
 *
 * The parsing helpers are pure and tested as tables.
 */
#ifndef ROUTEHOOK_REQUEST_H
#define ROUTEHOOK_REQUEST_H

#include <sys/types.h>

#include <stddef.h>

#include "conf.h"
#include "dedup.h"
#include "spool.h"

enum request_len {
	REQUEST_LEN_OK,
	REQUEST_LEN_MISSING,	/* no CONTENT_LENGTH, or empty: 411 */
	REQUEST_LEN_INVALID,	/* not 1*DIGIT: 400 */
	REQUEST_LEN_TOO_LARGE	/* more than the cap (overflow included): 413 */
};

/*
 * Parse a CONTENT_LENGTH value strictly: ASCII digits only (leading
 * zeros allowed, as in RFC 9110's 1*DIGIT), no sign, no space, no
 * exponent.  A value above max is TOO_LARGE however many digits it has.
 */
enum request_len	 request_content_length(const char *s, size_t max,
			    size_t *len);

enum request_path {
	REQUEST_PATH_OTHER,
	REQUEST_PATH_HEALTH,	/* exactly mount + "/health" */
	REQUEST_PATH_METRICS	/* exactly mount + "/metrics" */
};

/*
 * Classify the request path: REQUEST_URI with its query string removed
 * when the server sets it, else SCRIPT_NAME + PATH_INFO (the CGI
 * variables).  mount is receiver.mount ("" for the root); the other
 * arguments may be NULL.
 */
enum request_path	 request_classify(const char *mount,
			    const char *request_uri, const char *script_name,
			    const char *path_info);

#define REQUEST_READ_TIMEOUT	(-2)

/* The transport of one request. */
struct request_io {
	void	*ctx;
	/* A request variable ("REQUEST_METHOD", "HTTP_X_..."), or NULL. */
	const char	*(*param)(void *ctx, const char *name);
	/*
	 * Up to n body bytes, waiting at most timeout_ms (> 0) for them:
	 * the count, 0 at the end, -1 on error, REQUEST_READ_TIMEOUT when
	 * nothing came in time.
	 */
	ssize_t	 (*read)(void *ctx, void *buf, size_t n, int timeout_ms);
	/* All n bytes of the answer: 0, or -1. */
	int	 (*write)(void *ctx, const void *buf, size_t n);
};

struct responder {
	const struct conf	*conf;	/* with the receiver's secrets read */
	struct spool		*spool;
	struct dedup		*dedup;	/* what was accepted: replays */
	int			 verbose;	/* log accepted events too */
};

/* Answer one request; returns the HTTP status sent. */
int	 request_handle(const struct responder *r, const struct request_io *io);

#endif
