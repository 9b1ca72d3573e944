/*
 * http: the one place libcurl handles are set up to talk to Genesys Cloud
 * (the login host and the API host), for the worker, oauth and routehookctl.
 *
 * Every handle made here has: TLS verification on (peer and host name,
 * whatever else happens), genesys.ca_file added as an extra CA bundle to
 * the system's store rather than replacing it, genesys.timeout_ms as the
 * bound of the whole call (connection included), https only, no
 * redirects, no signals, a User-Agent "routehook/<version>", and a
 * response body kept in a dynbuf with a hard cap given at creation: bytes
 * past the cap are dropped (dyn_clipped() says so), never grown into.
 *
 * A call's result is reduced to what the worker decides on: the HTTP
 * status (0 when no answer came), Retry-After in seconds (libcurl parses
 * both forms), the rate budget Genesys reports on every answer
 * (inin-ratelimit-allowed, -count and -reset: calls allowed in the
 * window, calls counted in it, seconds until it resets), and one sentence
 * for an audit line, e.g.
 * "HTTP 404 not.found: The requested resource was not found." from the
 * Genesys error body, or "no answer: Connection refused".
 *
 * Errors: functions return 0 or -1 and fill the caller's err buffer.  A
 * bearer token is put in a request header only: never in an error, a URL
 * or a log line.
 *
 * Call http_global_init() once at program start, before any thread.
 */
#ifndef ROUTEHOOK_HTTP_H
#define ROUTEHOOK_HTTP_H

#include <stddef.h>

#include <curl/curl.h>

#include "conf.h"
#include "dynbuf.h"
#include "version.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* response bytes kept */
#define HTTP_ERROR_MAX		256		/* an error sentence */
#define HTTP_URL_MAX		1024

/* What every handle shares: the config and the extra CAs, parsed once. */
struct http {
	const struct conf	*conf;
	void			*extra_ca;	/* STACK_OF(X509) *, or NULL */
	int			 nextra_ca;
	char			 user_agent[64];
};

/* One easy handle, reusable call after call (connections are kept). */
struct http_call {
	struct http		*http;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*body;		/* the request body, owned */
	struct dynbuf		 resp;		/* capped at max_body */
	char			 errbuf[CURL_ERROR_SIZE];
	void			*owner;		/* for the caller */
};

struct http_result {
	long	 status;		/* HTTP status; 0: no answer */
	CURLcode rc;			/* the transfer's result */
	long	 retry_after_s;		/* Retry-After; 0: none */
	long	 rl_allowed;		/* inin-ratelimit-allowed; -1: none */
	long	 rl_count;		/* inin-ratelimit-count; -1: none */
	long	 rl_reset_s;		/* inin-ratelimit-reset; -1: none */
	char	 error[HTTP_ERROR_MAX];	/* "" on 2xx */
};

int	 http_global_init(char *err, size_t errsz);
void	 http_global_cleanup(void);

/* Reads and parses genesys.ca_file when set: a bad bundle fails here. */
int	 http_init(struct http *h, const struct conf *c, char *err,
	    size_t errsz);
void	 http_free(struct http *h);

int	 http_call_init(struct http_call *hc, struct http *h, size_t max_body,
	    char *err, size_t errsz);

/*
 * Set up the next request on hc: method "GET", "POST", "PUT" or "PATCH",
 * the absolute URL, a bearer token or NULL, the body's content type and
 * the body (NULL for none).  Then run it with curl_easy_perform() or a
 * multi handle, and read the outcome with http_call_result().
 */
int	 http_call_set(struct http_call *hc, const char *method,
	    const char *url, const char *bearer, const char *content_type,
	    const char *body, char *err, size_t errsz);

/* Blocking: set up with http_call_set() first. */
void	 http_call_perform(struct http_call *hc, struct http_result *r);

void	 http_call_result(struct http_call *hc, CURLcode rc,
	    struct http_result *r);
void	 http_call_free(struct http_call *hc);

/*
 * Pure: the sentence for a failed answer.  From a Genesys error body
 * {"message","code","status",...}: "HTTP 404 not.found: <message>"; from
 * an OAuth error {"error","error_description"}: "HTTP 401 invalid_client:
 * <description>"; else "HTTP 502".  Control characters become spaces.
 */
void	 http_error_text(long status, const char *body, size_t len, char *out,
	    size_t outsz);

/*
 * Pure: a rate-limit header's value, digits only and at most 10^9, else
 * -1 (absent or malformed: the caller then has nothing to pace by).
 */
long	 http_header_count(const char *value);

/* base + path into buf; -1 if it does not fit. */
int	 http_url(char *buf, size_t bufsz, const char *base, const char *path);

#endif
