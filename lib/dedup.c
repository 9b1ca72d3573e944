/*
 * dedup: see dedup.h.
 *
 * Failure: a claim that cannot read or make its entry says why and
 * returns DEDUP_ERROR; the caller answers 503, so the sender retries and
 * nothing is stored twice or lost.  A failed commit leaves the entry in
 * progress (taken over after DEDUP_BUSY_S); the event itself is stored
 * by then.  A prune that fails stops and says why; the next one retries.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dedup.h"
#include "err.h"
#include "spool.h"

#define DEDUP_PENDING	"."	/* what an entry in progress points at */
#define DEDUP_MARK	".prune"	/* its time: the last prune, any process */
#define DEDUP_TRIES	3

static void
dedup_err(char *err, size_t errsz, const char *name, const char *what,
    int e)
{
	errno = e;
	(void)err_set_sys(err, errsz, "%s/%s: %s", DEDUP_DIR, name, what);
}

void
dedup_name(const char *kind, const void *data, size_t len,
    char name[DEDUP_NAME_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	static const unsigned char empty[1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;

	memset(md, 0, sizeof(md));
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, kind, strlen(kind) + 1) != 1 ||
	    EVP_DigestUpdate(ctx, len > 0 ? data : empty, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		/* Only out of memory gets here; a name nobody else gets. */
		EVP_MD_CTX_free(ctx);
		memset(name, '0', DEDUP_NAME_LEN);
		name[DEDUP_NAME_LEN] = '\0';
		return;
	}
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 32; i++) {
		name[2 * i] = hex[md[i] >> 4];
		name[2 * i + 1] = hex[md[i] & 15];
	}
	name[DEDUP_NAME_LEN] = '\0';
}

int
dedup_open(struct dedup *d, const char *spool_root, long window_s,
    char *err, size_t errsz)
{
	char path[4096];
	int fd;

	d->dirfd = -1;
	d->window_s = window_s;
	atomic_init(&d->next_prune, 0);
	atomic_init(&d->seq, 0);
	if (snprintf(path, sizeof(path), "%s/%s", spool_root, DEDUP_DIR) >=
	    (int)sizeof(path)) {
		return err_set(err, errsz, "%s/%s: path too long",
		    spool_root, DEDUP_DIR);
	}
	/* 0770 and the spool's set-gid group, as tmp/ and new/. */
	if (mkdir(path, 0770) == -1 && errno != EEXIST) {
		return err_set_sys(err, errsz, "%s: cannot make it (make it "
		    "the responder's user's, mode 0700, as routehook-setup.sh "
		    "does)",
		    path);
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		return err_set_sys(err, errsz, "%s", path);
	}
	if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) == -1) {
		(void)err_set_sys(err, errsz, "%s: not writable by the "
		    "responder (make it the responder's user's, mode 0700, as "
		    "routehook-setup.sh does)", path);
		close(fd);
		return -1;
	}
	d->dirfd = fd;
	return 0;
}

void
dedup_close(struct dedup *d)
{
	if (d->dirfd != -1)
		close(d->dirfd);
	d->dirfd = -1;
}

/* Whether name is one of our entries (or, with a '.', a temp of one). */
static int
dedup_ours(const char *name, int *is_temp)
{
	size_t i;

	for (i = 0; i < DEDUP_NAME_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	*is_temp = name[DEDUP_NAME_LEN] != '\0';
	return name[DEDUP_NAME_LEN] == '\0' || name[DEDUP_NAME_LEN] == '.';
}

/* Once a minute at most, in this process and (by the mark) in all. */
static void
dedup_prune_due(struct dedup *d, long long now)
{
	long long due = atomic_load(&d->next_prune);
	struct timespec ts[2];
	struct stat st;
	long removed;
	int fd;

	if (now < due || !atomic_compare_exchange_strong(&d->next_prune, &due,
	    now + DEDUP_PRUNE_S))
		return;
	if (fstatat(d->dirfd, DEDUP_MARK, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_mtim.tv_sec + DEDUP_PRUNE_S > now &&
	    st.st_mtim.tv_sec <= now)
		return;
	if ((fd = openat(d->dirfd, DEDUP_MARK, O_WRONLY | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0660)) != -1)
		close(fd);
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
	ts[0].tv_sec = ts[1].tv_sec = 0;
	(void)utimensat(d->dirfd, DEDUP_MARK, ts, AT_SYMLINK_NOFOLLOW);
	(void)dedup_prune(d, now, &removed, NULL, 0);
}

enum dedup_result
dedup_claim(struct dedup *d, const char *name, long long now, char *id,
    size_t idsz, char *err, size_t errsz)
{
	char target[SPOOL_ID_MAX];
	struct stat st;
	ssize_t n;
	long long age;
	int i;

	dedup_prune_due(d, now);
	for (i = 0; i < DEDUP_TRIES; i++) {
		if (symlinkat(DEDUP_PENDING, d->dirfd, name) == 0)
			return DEDUP_NEW;
		if (errno != EEXIST) {
			dedup_err(err, errsz, name, "symlink", errno);
			return DEDUP_ERROR;
		}
		if (fstatat(d->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno == ENOENT)
				continue;	/* pruned meanwhile */
			dedup_err(err, errsz, name, "lstat", errno);
			return DEDUP_ERROR;
		}
		n = -1;
		if (S_ISLNK(st.st_mode) &&
		    (n = readlinkat(d->dirfd, name, target,
		    sizeof(target) - 1)) == -1 && errno != ENOENT &&
		    errno != EINVAL) {
			dedup_err(err, errsz, name, "readlink", errno);
			return DEDUP_ERROR;
		}
		age = now - (long long)st.st_mtim.tv_sec;
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, DEDUP_PENDING) == 0 &&
			    age < DEDUP_BUSY_S)
				return DEDUP_BUSY;
			if (age < d->window_s && spool_id_valid(target) &&
			    (size_t)n < idsz) {
				memcpy(id, target, (size_t)n + 1);
				return DEDUP_SEEN;
			}
		}
		/* Forgotten, abandoned, or not ours to make sense of. */
		if (unlinkat(d->dirfd, name, 0) == -1 && errno != ENOENT) {
			dedup_err(err, errsz, name, "unlink", errno);
			return DEDUP_ERROR;
		}
	}
	dedup_err(err, errsz, name, "claim", EAGAIN);
	return DEDUP_ERROR;
}

/* A new link under a temp name, renamed over the claim: atomic. */
int
dedup_commit(struct dedup *d, const char *name, const char *id, char *err,
    size_t errsz)
{
	char tmp[DEDUP_NAME_LEN + 64];

	snprintf(tmp, sizeof(tmp), "%s.%ld.%u", name, (long)getpid(),
	    atomic_fetch_add(&d->seq, 1));
	if (symlinkat(id, d->dirfd, tmp) == -1) {
		dedup_err(err, errsz, tmp, "symlink", errno);
		return -1;
	}
	if (renameat(d->dirfd, tmp, d->dirfd, name) == -1) {
		dedup_err(err, errsz, name, "rename", errno);
		(void)unlinkat(d->dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

void
dedup_release(struct dedup *d, const char *name)
{
	(void)unlinkat(d->dirfd, name, 0);
}

int
dedup_prune(struct dedup *d, long long now, long *removed, char *err,
    size_t errsz)
{
	struct dirent *de;
	struct stat st;
	long long age;
	DIR *dir;
	int fd, temp;

	*removed = 0;
	if ((fd = openat(d->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		dedup_err(err, errsz, ".", "open", errno);
		return -1;
	}
	if ((dir = fdopendir(fd)) == NULL) {
		dedup_err(err, errsz, ".", "fdopendir", errno);
		close(fd);
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL)
			break;
		if (!dedup_ours(de->d_name, &temp))
			continue;
		if (fstatat(d->dirfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		age = now - (long long)st.st_mtim.tv_sec;
		/*
		 * An entry in progress is never older than DEDUP_BUSY_S
		 * unless abandoned, and the window is at least a minute:
		 * past the window, every kind of entry is done with.
		 */
		if (age < d->window_s && (age < DEDUP_BUSY_S ||
		    (!temp && st.st_size != (off_t)strlen(DEDUP_PENDING))))
			continue;
		if (unlinkat(d->dirfd, de->d_name, 0) == 0)
			(*removed)++;
	}
	if (errno != 0) {
		dedup_err(err, errsz, ".", "readdir", errno);
		closedir(dir);
		return -1;
	}
	closedir(dir);
	return 0;
}
