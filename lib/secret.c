/*
 * secret: read the secret files the configuration names (see secret.h).
 *
 * Failure: each reader says which key and which file, and why, in the
 * caller's buffer; the secret's bytes never reach a message, and the
 * read buffer is wiped on every path out.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "atomicfile.h"
#include "conf.h"
#include "err.h"
#include "hmac.h"
#include "secret.h"

#define SECRET_LINE_MAX	1024	/* one message */
#define SECRET_KEY_MAX	128	/* "receiver.secret_files[7]" and the like */

/* "FILE:LINE: key: path: why", at the key's own line in the config. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static void
secret_error(const struct conf *c, const struct conf_path *p,
    const char *key, char *err, size_t errsz, const char *fmt, ...)
{
	char why[SECRET_LINE_MAX];
	const char *file = c != NULL && c->file != NULL ? c->file :
	    CONF_DEFAULT_PATH;
	const char *path = p->path != NULL ? p->path : "";
	va_list ap;

	va_start(ap, fmt);
	err_setv(why, sizeof(why), -1, fmt, ap);
	va_end(ap);
	if (p->line > 0)
		err_set(err, errsz, "%s:%d: %s: %s: %s", file, p->line, key,
		    path, why);
	else
		err_set(err, errsz, "%s: %s (default) %s: %s", file, key, path,
		    why);
}

/* The same, why being errno's text. */
static void
secret_error_sys(const struct conf *c, const struct conf_path *p,
    const char *key, char *err, size_t errsz)
{
	char why[ERR_STR_MAX];

	secret_error(c, p, key, err, errsz, "%s", err_str(errno, why,
	    sizeof(why)));
}

void
secret_wipe(struct secret *s, size_t n)
{
	OPENSSL_cleanse(s, n * sizeof(*s));
}

/*
 * O_NONBLOCK so that a FIFO in the secret's place cannot hang us before
 * fstat() says it is not a regular file.
 */
int
secret_read(const struct conf *c, const struct conf_path *p,
    const char *key, struct secret *out, char *err, size_t errsz)
{
	unsigned char buf[SECRET_MAX + 1];
	unsigned char *nl;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd = -1;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	secret_wipe(out, 1);
	out->len = 0;
	if (p->path == NULL || p->path[0] == '\0') {
		secret_error(c, p, key, err, errsz, "no file given");
		goto fail;
	}
	if ((fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		secret_error_sys(c, p, key, err, errsz);
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		secret_error_sys(c, p, key, err, errsz);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		secret_error(c, p, key, err, errsz, "not a regular file");
		goto fail;
	}
	/* One byte more than allowed tells a full file from a long one. */
	if ((n = read_all(fd, buf, sizeof(buf))) == -1) {
		secret_error_sys(c, p, key, err, errsz);
		goto fail;
	}
	len = (size_t)n;
	if (len > SECRET_MAX) {
		secret_error(c, p, key, err, errsz, "secret file too long "
		    "(more than %d bytes)", SECRET_MAX);
		goto fail;
	}
	if ((nl = memchr(buf, '\n', len)) != NULL)
		len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		secret_error(c, p, key, err, errsz, "no secret on the first "
		    "line");
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		secret_error_sys(c, p, key, err, errsz);
		goto fail;
	}
	memcpy(out->key, buf, len);
	out->len = len;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;

fail:
	if (fd != -1)
		close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	return -1;
}

/*
 * Read n files named by key (key[i] when there are several) into out;
 * each failure is one more line in l.  Returns the number read.
 */
static size_t
secret_read_list(const struct conf *c, const struct conf_path *paths,
    size_t n, const char *key, const char *listkey, struct secret *out,
    struct err_lines *l)
{
	char name[SECRET_KEY_MAX], one[2 * SECRET_LINE_MAX];
	size_t i, good = 0;

	for (i = 0; i < n; i++) {
		if (n > 1)
			snprintf(name, sizeof(name), "%s[%zu]", listkey, i);
		else
			snprintf(name, sizeof(name), "%s", key);
		if (secret_read(c, &paths[i], name, &out[i], one,
		    sizeof(one)) == -1)
			err_lines_add(l, one);
		else
			good++;
	}
	return good;
}

/*
 * A Standard Webhooks secret is "whsec_" and the base64 of the key
 * bytes, as the specification's libraries write it; the prefix is
 * optional there, and so here.  Decoded in place.
 */
static int
secret_whsec(struct secret *sec)
{
	unsigned char key[SECRET_MAX];
	size_t skip = 0;
	int n;

	if (sec->len >= 6 && memcmp(sec->key, "whsec_", 6) == 0)
		skip = 6;
	n = hmac_base64_decode((const char *)sec->key + skip,
	    sec->len - skip, key, sizeof(key));
	if (n <= 0) {
		OPENSSL_cleanse(key, sizeof(key));
		return -1;
	}
	secret_wipe(sec, 1);
	memcpy(sec->key, key, (size_t)n);
	sec->len = (size_t)n;
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

/* HTTP Basic credentials: "user:password", the user not empty. */
static int
secret_basic(struct secret *sec)
{
	const unsigned char *colon = memchr(sec->key, ':', sec->len);

	return colon == NULL || colon == sec->key ? -1 : 0;
}

/*
 * One scheme's files; check, when not NULL, says whether a secret is
 * in the scheme's form (and may rewrite it), and why is what it is not.
 */
static void
secret_read_keyring(const struct conf *c, struct conf_keyring *kr,
    const char *key, int (*check)(struct secret *), const char *why,
    struct err_lines *l)
{
	char name[SECRET_KEY_MAX], one[2 * SECRET_LINE_MAX];
	size_t i, n = kr->nfiles > CONF_MAX_SECRETS ? CONF_MAX_SECRETS :
	    kr->nfiles;
	int before = l->n;

	kr->nsecrets = 0;
	for (i = 0; i < n; i++) {
		if (n > 1)
			snprintf(name, sizeof(name), "%s[%zu]", key, i);
		else
			snprintf(name, sizeof(name), "%s", key);
		if (secret_read(c, &kr->files[i], name, &kr->secrets[i], one,
		    sizeof(one)) == -1) {
			err_lines_add(l, one);
			continue;
		}
		if (check != NULL && check(&kr->secrets[i]) == -1) {
			secret_error(c, &kr->files[i], name, one, sizeof(one),
			    "%s", why);
			err_lines_add(l, one);
		}
	}
	if (l->n > before) {
		secret_wipe(kr->secrets, CONF_MAX_SECRETS);
		return;
	}
	kr->nsecrets = n;
}

/* Only the schemes receiver.auth names: the others' files need not exist. */
int
secret_read_receiver(struct conf *c, char *err, size_t errsz)
{
	struct err_lines l;
	size_t n = c->receiver.nsecret_files;
	unsigned auth = c->receiver.auth;

	err_lines_init(&l, err, errsz);
	if (n > CONF_MAX_SECRETS)
		n = CONF_MAX_SECRETS;
	c->receiver.nsecrets = 0;
	if (auth & CONF_AUTH_HMAC) {
		secret_read_list(c, c->receiver.secret_files, n,
		    "receiver.secret_file", "receiver.secret_files",
		    c->receiver.secrets, &l);
		if (l.n == 0)
			c->receiver.nsecrets = n;
	}
	if (auth & CONF_AUTH_STANDARD_WEBHOOKS)
		secret_read_keyring(c, &c->receiver.standard_webhooks.keys,
		    "receiver.standard_webhooks.secret_files", secret_whsec,
		    "not a Standard Webhooks secret (whsec_ and base64)", &l);
	if (auth & CONF_AUTH_API_KEY)
		secret_read_keyring(c, &c->receiver.api_key.keys,
		    "receiver.api_key.secret_files", NULL, NULL, &l);
	if (auth & CONF_AUTH_BASIC)
		secret_read_keyring(c, &c->receiver.basic.keys,
		    "receiver.basic.secret_files", secret_basic,
		    "not user:password", &l);
	if (l.n > 0) {
		secret_wipe(c->receiver.secrets, CONF_MAX_SECRETS);
		c->receiver.nsecrets = 0;
		return -1;
	}
	return 0;
}

int
secret_read_client(struct conf *c, char *err, size_t errsz)
{
	return secret_read(c, &c->genesys.client_secret_file,
	    "genesys.client_secret_file", &c->genesys.client_secret, err,
	    errsz);
}
