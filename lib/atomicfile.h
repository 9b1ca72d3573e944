/*
 * atomicfile: replace a small file whole, so that a reader sees the old
 * content or the new, never half; and write_all() and read_all(), the
 * one loop that writes every byte of a buffer and the one that fills
 * one.
 *
 * The new content goes to a temp file created O_CREAT|O_EXCL under a name
 * nobody else picks,
 *
 *	<last component of name>.tmp.<pid>.<n>		(n counts per process)
 *
 * in the final name's directory (or in tmpdirfd, see atomicfile_begin()).
 * It never ends in the final name's suffix, so a reader that globs
 * "*.prom" never sees one.  Its mode is set with fchmod(2), so the umask
 * does not change it.  It is written, fsync'd (unless ATOMICFILE_NOSYNC),
 * closed (checked) and renamed over the final name; with
 * ATOMICFILE_SYNC_DIR the directory is fsync'd after the rename.  A temp
 * name that exists already was left by a dead process that had our pid
 * (the count is ours alone): it is removed and the next name tried.
 *
 * Errors: functions return -1 with errno as the failing call left it and
 * "NAME: what failed: reason" in the caller's err buffer, NAME as given
 * (the caller prefixes what its dirfd stands for).  On any failure the
 * temp file is removed and the final name is untouched.
 */
#ifndef ROUTEHOOK_ATOMICFILE_H
#define ROUTEHOOK_ATOMICFILE_H

#include <sys/types.h>

#include <stddef.h>

#define ATOMICFILE_SYNC_DIR	0x01	/* fsync the directory after rename */
#define ATOMICFILE_NOSYNC	0x02	/* no fsync of the file (fsync = no) */

#define ATOMICFILE_PATH_MAX	4096	/* bytes in a temp path, with NUL */

struct atomicfile {
	int		 tmpdir;	/* where tmp is, and */
	int		 dir;		/* where name goes (or AT_FDCWD) */
	int		 fd;		/* the temp file, -1 when closed */
	int		 flags;
	const char	*name;		/* the caller's, until commit */
	char		 tmp[ATOMICFILE_PATH_MAX];	/* "" when none */
};

/*
 * Create the temp file for dirfd/name (dirfd may be AT_FDCWD and name a
 * path), mode exactly mode.  tmpdirfd is where the temp file is made:
 * dirfd itself for a name that readers may list beside it, or a private
 * temp directory on the same filesystem (then only name's last component
 * is used for the temp name).  Call put, then commit or abort.
 */
int	 atomicfile_begin(struct atomicfile *af, int tmpdirfd, int dirfd,
	    const char *name, mode_t mode, int flags, char *err, size_t errsz);
/* Append len bytes to the temp file. */
int	 atomicfile_put(struct atomicfile *af, const void *data, size_t len,
	    char *err, size_t errsz);
/* fsync, close and rename the temp file over name (and fsync the dir). */
int	 atomicfile_commit(struct atomicfile *af, char *err, size_t errsz);
/* Remove the temp file; harmless after commit or a failure. */
void	 atomicfile_abort(struct atomicfile *af);

/* All of the above in one call, the temp file beside the final name. */
int	 atomicfile_write(int dirfd, const char *name, const void *data,
	    size_t len, mode_t mode, int flags, char *err, size_t errsz);

/*
 * write(2) until all n bytes are written, through short writes and EINTR:
 * 0, or -1 with errno (ENOSPC when write returns 0, which would loop).
 */
int	 write_all(int fd, const void *buf, size_t n);

/*
 * read(2) until n bytes are read or the end of the file, through short
 * reads and EINTR: the count read (less than n only at the end), or -1
 * with errno.  A caller that must tell a full buffer from a longer file
 * asks for one byte more than it allows.
 */
ssize_t	 read_all(int fd, void *buf, size_t n);

#endif
