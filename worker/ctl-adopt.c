/*
 * ctl-adopt: `routehookctl adopt [--host HOST] DIR`: take over the events
 * a dead host accepted, from its spool at DIR (its disk mounted here, or
 * a copy), into this host's new/, so that this host's worker applies
 * them (routehook(7), "Several hosts").
 *
 * Why it is safe: an event keeps its id, which names the host that
 * received it and so cannot collide with ours; the order stamps in etcd
 * carry the id of the event last applied, so an event the dead host
 * applied just before it died is found applied and not sent again, and
 * one older than anything applied since is superseded.  Each file is
 * written whole under tmp/, synced and renamed into new/ (atomicfile.h),
 * and only then removed from DIR: a crash in between leaves it in both,
 * and adopting again finds it ours already and only removes it from DIR.
 * A file whose claim lock a live worker holds (flock(2), spool.h) is left
 * alone; with --host, nothing is done while etcd lists HOST as alive.
 *
 * Fails with 100 on usage or configuration errors, 111 when DIR or this
 * spool cannot be read or written, or etcd does not answer; 1 when some
 * files were left (named on stderr).
 */
#define _DEFAULT_SOURCE		/* flock(2) */

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "cluster.h"
#include "ctl.h"
#include "err.h"
#include "spool.h"
#include "vis.h"

#define CTL_ADOPT_MAX	(1024 * 1024)	/* bytes of one event, as drain.h */

const char ctl_adopt_usage[] =
"usage: routehookctl [-c FILE] adopt [--host HOST] DIR\n"
"\n"
"Take over the events a dead host accepted: every file in DIR/new,\n"
"DIR/cur and DIR/deferred (DIR: its spool, mounted or copied here) is\n"
"written whole into this spool's new/ under the same id, synced, and only\n"
"then removed from DIR.  A file this spool holds already is only removed\n"
"from DIR; one a live worker has claimed is left.\n"
"\n"
"  --host HOST  refuse while etcd lists HOST (as routehookctl cluster\n"
"               names it) as alive: its worker may still be running\n"
"\n"
"exit status: 0 done, 1 some files were left, 100 usage or configuration\n"
"error, 111 temporary failure (DIR or the spool unreadable, etcd silent)\n";

static const enum spool_dir ctl_adopt_from[] = {
	SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED
};

/* Whether id is anywhere in our spool already (adopted before). */
static int
ctl_adopt_have(struct spool *sp, const char *id)
{
	static const enum spool_dir dirs[] = {
		SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_DEAD, SPOOL_HOLD
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (sp->fd[dirs[i]] != -1 && fstatat(sp->fd[dirs[i]], id, &st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	return 0;
}

/* Read src/id whole under its claim lock: 0, -2 claimed, -1 error. */
static int
ctl_adopt_read(int dirfd, const char *id, char *buf, size_t *len, char *err,
    size_t errsz)
{
	ssize_t n;
	int fd;

	*len = 0;
	if ((fd = openat(dirfd, id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return err_set_sys(err, errsz, "open %s", id);
	if (flock(fd, LOCK_SH | LOCK_NB) == -1) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return -2;
		return err_set_sys(err, errsz, "lock %s", id);
	}
	if ((n = read_all(fd, buf, CTL_ADOPT_MAX)) == -1) {
		close(fd);
		return err_set_sys(err, errsz, "read %s", id);
	}
	*len = (size_t)n;
	close(fd);
	if (*len == CTL_ADOPT_MAX)
		return err_set(err, errsz, "%s: over %d bytes", id,
		    CTL_ADOPT_MAX);
	return 0;
}

/* One directory of DIR: counts moved, and left (problems named). */
static int
ctl_adopt_dir(struct spool *sp, struct spool *src, enum spool_dir d,
    char *buf, long *moved, long *left)
{
	struct spool_scan scan;
	struct atomicfile af;
	const char *id;
	char err[1024], shown[SPOOL_ID_MAX * 4];
	size_t len;
	int r;

	if (spool_scan_open(src, d, &scan) == -1) {
		ctl_err("%s/%s", src->root, spool_dir_name(d));
		return -1;
	}
	while ((id = spool_scan_next(&scan)) != NULL) {
		vis_str(shown, sizeof(shown), id);
		if (!spool_id_valid(id)) {
			ctl_errx("adopt: %s/%s: not a spool id; left",
			    spool_dir_name(d), shown);
			(*left)++;
			continue;
		}
		if (!ctl_adopt_have(sp, id)) {
			r = ctl_adopt_read(src->fd[d], id, buf, &len, err,
			    sizeof(err));
			if (r == -2) {
				ctl_errx("adopt: %s/%s: claimed by a live "
				    "worker; left", spool_dir_name(d), shown);
				(*left)++;
				continue;
			}
			if (r == -1 || atomicfile_begin(&af, sp->fd[SPOOL_TMP],
			    sp->fd[SPOOL_NEW], id, 0640, ATOMICFILE_SYNC_DIR,
			    err, sizeof(err)) == -1 ||
			    atomicfile_put(&af, buf, len, err,
			    sizeof(err)) == -1 ||
			    atomicfile_commit(&af, err, sizeof(err)) == -1) {
				ctl_errx("adopt: %s/%s; left", spool_dir_name(d),
				    err);
				(*left)++;
				continue;
			}
		}
		/* Ours now, durably: only then gone from the dead host. */
		if (unlinkat(src->fd[d], id, 0) == -1 && errno != ENOENT) {
			ctl_err("adopt: %s/%s/%s is in new/ now, but not removed",
			    src->root, spool_dir_name(d), shown);
			(*left)++;
			continue;
		}
		(*moved)++;
	}
	spool_scan_close(&scan);
	return 0;
}

/* --host: 0 when etcd does not list it, -1 after saying why not. */
static int
ctl_adopt_host_gone(const struct conf *c, const char *host)
{
	char err[1024], shown[CLUSTER_HOST_MAX * 4];
	int r;

	if (!c->cluster.enabled) {
		ctl_errx("adopt: --host needs a cluster section (%s)",
		    c->file);
		return -1;
	}
	if ((r = ctl_cluster_alive(c, host, err, sizeof(err))) == -1) {
		ctl_errx("adopt: %s; nothing moved", err);
		return -1;
	}
	if (r == 1) {
		ctl_errx("adopt: etcd lists %s as alive: its worker may still "
		    "be running; nothing moved", vis_str(shown, sizeof(shown),
		    host));
		return -1;
	}
	return 0;
}

int
ctl_adopt(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "host", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	struct spool sp, src;
	const char *host = NULL;
	char err[1024], *buf;
	long moved = 0, left = 0;
	size_t i;
	int o, rc = EXIT_TEMP;

	while ((o = ctl_getopt("adopt", argc, argv, ":hH:", opts)) != -1) {
		if (o == 'h')
			return ctl_usage(ctl_adopt_usage, EXIT_DONE);
		if (o != 'H')
			return ctl_usage(ctl_adopt_usage, EXIT_PERM);
		host = optarg;
	}
	if (optind != argc - 1) {
		ctl_errx("adopt: name the dead host's spool, once");
		return ctl_usage(ctl_adopt_usage, EXIT_PERM);
	}
	if (ctl_conf_load(ctl) == -1)
		return EXIT_PERM;
	if (host != NULL && ctl_adopt_host_gone(&ctl->conf, host) == -1)
		return EXIT_TEMP;
	if (spool_open(&sp, ctl->conf.spool_dir.path, 0, 1, err,
	    sizeof(err)) == -1) {
		ctl_errx("%s (routehookctl check tells more)", err);
		return EXIT_TEMP;
	}
	if (spool_open(&src, argv[optind], 0, 0, err, sizeof(err)) == -1) {
		ctl_errx("adopt: %s", err);
		spool_close(&sp);
		return EXIT_TEMP;
	}
	if ((buf = malloc(CTL_ADOPT_MAX)) == NULL) {
		ctl_err("adopt");
		goto done;
	}
	for (i = 0; i < sizeof(ctl_adopt_from) / sizeof(ctl_adopt_from[0]);
	    i++)
		if (ctl_adopt_dir(&sp, &src, ctl_adopt_from[i], buf, &moved,
		    &left) == -1)
			goto done;
	printf("adopted %ld event%s into %s/new, %ld left\n", moved,
	    moved == 1 ? "" : "s", sp.root, left);
	rc = left > 0 ? EXIT_FOUND : EXIT_DONE;
done:
	free(buf);
	spool_close(&src);
	spool_close(&sp);
	return rc;
}
