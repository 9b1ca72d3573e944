/*
 * api: up to N calls to the Genesys API at once over one libcurl multi
 * handle.  The easy handles live in a pool and are reused call after call,
 * and the multi handle keeps their connections alive, so a steady stream
 * of calls costs one TLS handshake per connection, not per call.
 *
 * The caller starts calls with api_start() while api_idle() > 0, waits
 * with api_wait() (which also watches one descriptor of the caller's,
 * such as the signal pipe), and collects answers with api_done().
 */
#ifndef ROUTEHOOK_API_H
#define ROUTEHOOK_API_H

#include <stddef.h>

#include "http.h"

struct api {
	void			*multi;		/* CURLM * */
	struct http_call	*calls;
	int			 n;
	int			*idle;		/* stack of free call indexes */
	int			 nidle;
};

int	 api_init(struct api *a, struct http *h, int n, char *err,
	    size_t errsz);
void	 api_free(struct api *a);

/* Calls that may start now; calls in flight. */
int	 api_idle(const struct api *a);
int	 api_busy(const struct api *a);

/* Start one call for owner; -1 (err filled) when it cannot be started. */
int	 api_start(struct api *a, const char *method, const char *url,
	    const char *token, const char *body, void *owner, char *err,
	    size_t errsz);

/*
 * Drive the transfers, then sleep until one has news, fd1 or fd2 (each
 * when >= 0) is readable, or timeout_ms passes.  *fd2_ready says whether
 * fd2 was.  -1 on a libcurl error.
 */
int	 api_wait(struct api *a, int fd1, int fd2, int timeout_ms,
	    int *fd2_ready, char *err, size_t errsz);

/*
 * One finished call: 1 with its owner, result and the answer's bytes
 * (*body, *len: NUL-terminated, valid until the next api_start()), 0
 * when none is left.
 */
int	 api_done(struct api *a, void **owner, struct http_result *r,
	    const char **body, size_t *len);

#endif
