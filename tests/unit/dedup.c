/*
 * dedup unit test: names, the claim / commit / release cycle, the window,
 * an abandoned claim taken over, the prune, and a seen/ that cannot be
 * made.  Works in a mkdtemp() spool; entry times are moved back with
 * utimensat() instead of waiting.  Fails with "not ok" lines and exit 1.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dedup.h"
#include "spool.h"
#include "tap.h"

#define ID1	"1764370053.M123456P789Q1.host"
#define ID2	"1764370054.M123456P789Q2.host"

static char root[] = "/tmp/routehook-dedup-t.XXXXXX";

/* Move an entry's own time back by s seconds. */
static void
age(struct dedup *d, const char *name, long long now, long s)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = (time_t)(now - s);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (utimensat(d->dirfd, name, ts, AT_SYMLINK_NOFOLLOW) == -1)
		perror(name);
}

static int
entries(struct dedup *d)
{
	struct dirent *de;
	DIR *dir;
	int n = 0, fd = openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY);

	if (fd == -1 || (dir = fdopendir(fd)) == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
		if (strlen(de->d_name) >= DEDUP_NAME_LEN)
			n++;
	closedir(dir);
	return n;
}

int
main(void)
{
	struct dedup d;
	char a[DEDUP_NAME_LEN + 1], b[DEDUP_NAME_LEN + 1], c[DEDUP_NAME_LEN + 1];
	char id[SPOOL_ID_MAX], err[512] = "", path[256];
	long long now = (long long)time(NULL);
	long removed;

	if (mkdtemp(root) == NULL) {
		perror(root);
		return 2;
	}
	dedup_name("body", "{}", 2, a);
	dedup_name("webhook-id", "{}", 2, b);
	dedup_name("body", "{} ", 3, c);
	is_int(strlen(a), DEDUP_NAME_LEN, "a name is 64 hex digits");
	ok(strcmp(a, b) != 0, "the kind is part of the identity");
	ok(strcmp(a, c) != 0, "one byte more is another identity");
	/* sha256("body\0{}") */
	dedup_name("body", "{}", 2, c);
	is_str(a, c, "the same identity, the same name");

	is_int(dedup_open(&d, root, 3600, err, sizeof(err)), 0,
	    "open makes seen/ (%s)", err);
	snprintf(path, sizeof(path), "%s/seen", root);
	ok(access(path, W_OK) == 0, "seen/ is there");

	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_NEW, "a first claim is new");
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_BUSY, "a second claim before the commit: busy");
	is_int(dedup_commit(&d, a, ID1, err, sizeof(err)), 0, "commit");
	id[0] = '\0';
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_SEEN, "after the commit: seen");
	is_str(id, ID1, "with the first event's id");

	is_int(dedup_open(&d, root, 3600, err, sizeof(err)), 0, "reopen");
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_SEEN, "seen again after a reopen (a restart)");

	age(&d, a, now, 3599);
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_SEEN, "3599 s later: still seen");
	age(&d, a, now, 3600);
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_NEW, "at the window: forgotten, claimed anew");
	dedup_release(&d, a);
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_NEW, "released (the spool failed): new again");

	age(&d, a, now, DEDUP_BUSY_S);
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_NEW, "a claim abandoned for DEDUP_BUSY_S is taken over");
	is_int(dedup_commit(&d, a, ID2, err, sizeof(err)), 0, "commit");
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_SEEN, "seen");
	is_str(id, ID2, "the new id");

	/* The prune: one fresh, one past the window, one abandoned. */
	is_int(dedup_claim(&d, b, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_NEW, "another entry");
	is_int(dedup_commit(&d, b, ID1, err, sizeof(err)), 0, "committed");
	age(&d, b, now, 4000);
	dedup_name("body", "x", 1, c);
	is_int(dedup_claim(&d, c, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_NEW, "a third, never committed");
	age(&d, c, now, DEDUP_BUSY_S + 1);
	is_int(entries(&d), 3, "three entries");
	is_int(dedup_prune(&d, now, &removed, err, sizeof(err)), 0, "prune");
	is_int(removed, 2, "removes the old and the abandoned");
	is_int(entries(&d), 1, "and keeps the fresh one");
	is_int(dedup_claim(&d, a, now, id, sizeof(id), err, sizeof(err)),
	    DEDUP_SEEN, "which is still seen");

	dedup_close(&d);
	snprintf(path, sizeof(path), "%s/file", root);
	fclose(fopen(path, "w"));
	ok(dedup_open(&d, path, 3600, err, sizeof(err)) == -1 &&
	    strstr(err, "/file/seen") != NULL, "a seen/ that cannot be made "
	    "is named (%s)", err);
	unlink(path);

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path) != 0)
		perror(path);
	return tap_done();
}
