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
#include "vis.h"

void
ctl_args_init(struct ctl_args *a, const char *cmd, int argc, char **argv)
{
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->i = 0;
	a->npos = 0;
	a->dashdash = 0;
}

static const struct ctl_opt *
ctl_find_long(const struct ctl_opt *opts, const char *name, size_t len)
{
	for (; opts->name != NULL; opts++)
		if (strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

static const struct ctl_opt *
ctl_find_short(const struct ctl_opt *opts, int c)
{
	for (; opts->name != NULL; opts++)
		if (opts->short_name != 0 && opts->short_name == c)
			return opts;
	return NULL;
}

/* "--name[=value]": the option, its value from "=" or the next word. */
static int
ctl_long_opt(struct ctl_args *a, const struct ctl_opt *opts, const char *s,
    const char **arg)
{
	const struct ctl_opt *o;
	const char *eq;
	size_t len;

	eq = strchr(s, '=');
	len = eq != NULL ? (size_t)(eq - s) : strlen(s);
	if ((o = ctl_find_long(opts, s, len)) == NULL) {
		ctl_errx("%s: unknown option --%.*s", a->cmd, (int)len, s);
		return -1;
	}
	if (!o->has_arg) {
		if (eq != NULL) {
			ctl_errx("%s: option --%s takes no value", a->cmd,
			    o->name);
			return -1;
		}
		return o->id;
	}
	if (eq != NULL) {
		*arg = eq + 1;
		return o->id;
	}
	if (a->i >= a->argc) {
		ctl_errx("%s: option --%s needs a value", a->cmd, o->name);
		return -1;
	}
	*arg = a->argv[a->i++];
	return o->id;
}

/* "-x" or "-xVALUE" or "-x VALUE"; one letter per word is enough here. */
static int
ctl_short_opt(struct ctl_args *a, const struct ctl_opt *opts, const char *s,
    const char **arg)
{
	const struct ctl_opt *o;

	if ((o = ctl_find_short(opts, (unsigned char)s[0])) == NULL ||
	    (!o->has_arg && s[1] != '\0')) {
		ctl_errx("%s: unknown option -%s", a->cmd, s);
		return -1;
	}
	if (!o->has_arg)
		return o->id;
	if (s[1] != '\0') {
		*arg = s + 1;
		return o->id;
	}
	if (a->i >= a->argc) {
		ctl_errx("%s: option -%c needs a value", a->cmd, s[0]);
		return -1;
	}
	*arg = a->argv[a->i++];
	return o->id;
}

int
ctl_getopt(struct ctl_args *a, const struct ctl_opt *opts, const char **arg)
{
	char *s;

	*arg = NULL;
	while (a->i < a->argc) {
		s = a->argv[a->i++];
		/* npos < i always, so moving operands never overwrites. */
		if (a->dashdash || s[0] != '-' || s[1] == '\0') {
			a->argv[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			a->dashdash = 1;
			continue;
		}
		if (s[1] == '-')
			return ctl_long_opt(a, opts, s + 2, arg);
		return ctl_short_opt(a, opts, s + 1, arg);
	}
	return 0;
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

	vsnprintf(msg, sizeof(msg), fmt, ap);
	(void)vis_str(safe, sizeof(safe), msg);
	if (saved_errno != 0)
		fprintf(stderr, "%s: %s: %s\n", CTL_PROG, safe,
		    strerror(saved_errno));
	else
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

long long
ctl_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (long long)time(NULL) * 1000;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
