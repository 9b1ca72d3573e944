/*
 * ctl-util: routehookctl's option parser, messages, config loading and
 * time formatting (see ctl.h).
 *
 * The option parser is ours rather than getopt_long(3) because every
 * subcommand parses its own argv after main() has parsed the global one,
 * and resetting getopt's hidden state is done differently on every libc.
 * It fails by printing one line naming the option and returning -1; the
 * caller then prints its usage and exits 100.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "ctl.h"
#include "err.h"
#include "vis.h"

/*
 * The option as written, for a message: "--name" (without "=value") or
 * "-x".  glibc leaves the offending word at argv[optind - 1] for a long
 * option; a short one is optopt.
 */
static void
ctl_opt_word(int argc, char **argv, char *buf, size_t bufsz)
{
	const char *w = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (strncmp(w, "--", 2) == 0)
		snprintf(buf, bufsz, "%.*s", (int)strcspn(w, "="), w);
	else
		snprintf(buf, bufsz, "-%c", optopt);
}

static const struct option *
ctl_find_long(const struct option *opts, const char *word)
{
	for (; opts->name != NULL; opts++)
		if (strcmp(opts->name, word) == 0)
			return opts;
	return NULL;
}

int
ctl_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	const struct option *o;
	const char *pre = cmd != NULL ? cmd : "";
	const char *sep = cmd != NULL ? ": " : "";
	char w[64];
	int c;

	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	ctl_opt_word(argc, argv, w, sizeof(w));
	if (c == ':')
		ctl_errx("%s%soption %s needs a value", pre, sep, w);
	else if (w[1] == '-' && (o = ctl_find_long(longopts, w + 2)) != NULL &&
	    o->has_arg == no_argument)
		ctl_errx("%s%soption %s takes no value", pre, sep, w);
	else
		ctl_errx("%s%sunknown option %s", pre, sep, w);
	return '?';
}

int
ctl_usage(const char *usage, int status)
{
	fputs(usage, status == 0 ? stdout : stderr);
	return status;
}

int
ctl_number(const char *cmd, const char *opt, const char *s, long min,
    long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno == ERANGE ||
	    v < min || v > max) {
		ctl_errx("%s: --%s %s: not a number from %ld to %ld", cmd, opt,
		    s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Escaped, as log.c does it: ids and paths in a message are not ours. */
static void
ctl_vmsg(int saved_errno, const char *fmt, va_list ap)
{
	char msg[2048], safe[4096];

	err_setv(msg, sizeof(msg), saved_errno != 0 ? saved_errno : -1, fmt,
	    ap);
	(void)vis_str(safe, sizeof(safe), msg);
	fprintf(stderr, "%s: %s\n", CTL_PROG, safe);
}

void
ctl_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_vmsg(0, fmt, ap);
	va_end(ap);
}

void
ctl_err(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	ctl_vmsg(saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

int
ctl_conf_load(struct ctl *ctl)
{
	char err[8192], *line, *next;

	ctl->conf_file = conf_path(ctl->conf_arg);
	if (conf_load(&ctl->conf, ctl->conf_file, err, sizeof(err)) == -1) {
		/* One message per line, each already naming FILE:LINE. */
		for (line = err; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			ctl_errx("%s", line);
		}
		return -1;
	}
	ctl->loaded = 1;
	return 0;
}

void
ctl_free(struct ctl *ctl)
{
	if (ctl->loaded)
		conf_free(&ctl->conf);
	ctl->loaded = 0;
}

void
ctl_jset(struct json_object *o, const char *key, struct json_object *v,
    int *bad)
{
	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		*bad = 1;
	}
}

void
ctl_jnull(struct json_object *o, const char *key, int *bad)
{
	if (json_object_object_add(o, key, NULL) != 0)
		*bad = 1;
}

void
ctl_jstr(struct json_object *o, const char *key, const char *s, int *bad)
{
	if (s != NULL)
		ctl_jset(o, key, json_object_new_string(s), bad);
	else
		ctl_jnull(o, key, bad);
}

int
ctl_fmt_time(long long ms, char *buf, size_t bufsz)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;
	int m;

	if (ms < 0 || gmtime_r(&t, &tm) == NULL ||
	    (n = strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		goto fail;
	m = snprintf(buf + n, bufsz - n, ".%03dZ", (int)(ms % 1000));
	if (m < 0 || (size_t)m >= bufsz - n)
		goto fail;
	return 0;

fail:
	snprintf(buf, bufsz, "-");
	return -1;
}

void
ctl_fmt_age(long long s, char *buf, size_t bufsz)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, bufsz, "%llds", s);
	else if (s < 3600)
		snprintf(buf, bufsz, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, bufsz, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, bufsz, "%lldd%02lldh", s / 86400,
		    s % 86400 / 3600);
}
