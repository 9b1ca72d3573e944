/*
 * api: the multi handle and its pool of calls (see api.h).
 *
 * How it fails: api_init() when memory runs out or libcurl refuses;
 * api_start() when the request cannot be set up (then nothing is in
 * flight for that owner); api_wait() when libcurl reports a multi-level
 * error, which the caller treats as fatal for the batch.  A call that
 * fails on the network is not an error here: it is a result with status
 * 0, given back by api_done().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "api.h"
#include "err.h"

int
api_init(struct api *a, struct http *h, int n, char *err, size_t errsz)
{
	int i;

	memset(a, 0, sizeof(*a));
	if ((a->multi = curl_multi_init()) == NULL ||
	    (a->calls = calloc((size_t)n, sizeof(*a->calls))) == NULL ||
	    (a->idle = calloc((size_t)n, sizeof(*a->idle))) == NULL) {
		err_set(err, errsz, "out of memory");
		goto fail;
	}
	/* One connection per call in flight, all kept between calls. */
	if (curl_multi_setopt(a->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)n) != CURLM_OK ||
	    curl_multi_setopt(a->multi, CURLMOPT_MAXCONNECTS, (long)n + 2)
	    != CURLM_OK) {
		err_set(err, errsz, "libcurl refused the multi options");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (http_call_init(&a->calls[i], h, HTTP_BODY_MAX, err, errsz)
		    == -1)
			goto fail;
		a->n++;
		a->idle[a->nidle++] = i;
	}
	return 0;
fail:
	api_free(a);
	return -1;
}

void
api_free(struct api *a)
{
	int i;

	for (i = 0; i < a->n; i++) {
		if (a->multi != NULL)
			curl_multi_remove_handle(a->multi, a->calls[i].easy);
		http_call_free(&a->calls[i]);
	}
	if (a->multi != NULL)
		curl_multi_cleanup(a->multi);
	free(a->calls);
	free(a->idle);
	memset(a, 0, sizeof(*a));
}

int
api_idle(const struct api *a)
{
	return a->nidle;
}

int
api_busy(const struct api *a)
{
	return a->n - a->nidle;
}

int
api_start(struct api *a, const char *method, const char *url,
    const char *token, const char *body, void *owner, char *err,
    size_t errsz)
{
	struct http_call *hc;
	CURLMcode mc;
	int i;

	if (a->nidle == 0) {
		err_set(err, errsz, "no idle call");
		return -1;
	}
	i = a->idle[a->nidle - 1];
	hc = &a->calls[i];
	if (http_call_set(hc, method, url, token,
	    body != NULL ? "application/json" : NULL, body, err, errsz) == -1)
		return -1;
	hc->owner = owner;
	if ((mc = curl_multi_add_handle(a->multi, hc->easy)) != CURLM_OK) {
		err_set(err, errsz, "libcurl: %s", curl_multi_strerror(mc));
		return -1;
	}
	a->nidle--;
	return 0;
}

int
api_wait(struct api *a, int fd1, int fd2, int timeout_ms, int *fd2_ready,
    char *err, size_t errsz)
{
	struct curl_waitfd wfd[2];
	CURLMcode mc;
	unsigned n = 0, i2 = 2;
	int running;

	*fd2_ready = 0;
	memset(wfd, 0, sizeof(wfd));
	if (fd1 >= 0) {
		wfd[n].fd = fd1;
		wfd[n++].events = CURL_WAIT_POLLIN;
	}
	if (fd2 >= 0) {
		i2 = n;
		wfd[n].fd = fd2;
		wfd[n++].events = CURL_WAIT_POLLIN;
	}
	if ((mc = curl_multi_perform(a->multi, &running)) != CURLM_OK)
		goto fail;
	/* Something already finished: let the caller collect it first. */
	if (running < api_busy(a))
		return 0;
	if ((mc = curl_multi_poll(a->multi, n > 0 ? wfd : NULL, n, timeout_ms,
	    NULL)) != CURLM_OK)
		goto fail;
	if (i2 < n && (wfd[i2].revents & CURL_WAIT_POLLIN))
		*fd2_ready = 1;
	if ((mc = curl_multi_perform(a->multi, &running)) != CURLM_OK)
		goto fail;
	return 0;
fail:
	err_set(err, errsz, "libcurl: %s", curl_multi_strerror(mc));
	return -1;
}

int
api_done(struct api *a, void **owner, struct http_result *r,
    const char **body, size_t *len)
{
	struct http_call *hc;
	CURLMsg *m;
	char *priv;
	int left;

	while ((m = curl_multi_info_read(a->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv)
		    != CURLE_OK || priv == NULL)
			continue;
		hc = (struct http_call *)(void *)priv;
		http_call_result(hc, m->data.result, r);
		curl_multi_remove_handle(a->multi, hc->easy);
		*owner = hc->owner;
		hc->owner = NULL;
		*body = dyn_len(&hc->resp) > 0 ? dyn_ptr(&hc->resp) : "";
		*len = dyn_len(&hc->resp);
		a->idle[a->nidle++] = (int)(hc - a->calls);
		return 1;
	}
	return 0;
}
