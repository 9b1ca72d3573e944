/*
 * replay: the main() of a fuzz target built without libFuzzer (as tmux's
 * fuzz/ does it).  It runs LLVMFuzzerTestOneInput() on every file of the
 * target's committed corpus, FUZZ_CORPUS/NAME/ for the program
 * NAME-fuzzer.t, or on the files and directories given as
 * arguments, and prints TAP: one "ok" per input that came back.  An
 * input that crashes the target ends the program with that signal (or
 * the sanitizer's report), which prove counts as a failure; so does a
 * corpus with no input in it.  Each input is read into a buffer of
 * exactly its size, so that a read past its end is caught.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifndef FUZZ_CORPUS
#define FUZZ_CORPUS	"tests/fuzz/corpus"
#endif

static int	 ntests, nfailed;

static void
replay_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &st) == -1) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		nfailed++;
		if (fp != NULL)
			fclose(fp);
		return;
	}
	len = (size_t)st.st_size;
	/* Exactly len bytes (malloc(0) may be NULL: then 1, never read). */
	if ((buf = malloc(len > 0 ? len : 1)) == NULL ||
	    fread(buf, 1, len, fp) != len) {
		printf("not ok %d - %s: cannot read it\n", ++ntests, path);
		nfailed++;
		free(buf);
		fclose(fp);
		return;
	}
	fclose(fp);
	(void)LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	printf("ok %d - %s\n", ++ntests, path);
	fflush(stdout);
}

static int
regular(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static void
replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	char sub[4096];
	int i, n;

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	if ((n = scandir(path, &names, regular, alphasort)) == -1) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		nfailed++;
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
		replay_file(sub);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char *argv[])
{
	char dir[4096], name[256], *p;
	const char *base;
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_path(argv[i]);
	} else {
		base = (p = strrchr(argv[0], '/')) != NULL ? p + 1 : argv[0];
		snprintf(name, sizeof(name), "%s", base);
		if ((p = strstr(name, "-fuzzer.t")) != NULL && p[9] == '\0')
			*p = '\0';
		snprintf(dir, sizeof(dir), "%s/%s", FUZZ_CORPUS, name);
		replay_path(dir);
	}
	if (ntests == 0) {
		printf("not ok 1 - the corpus has an input\n");
		ntests = nfailed = 1;
	}
	printf("1..%d\n", ntests);
	return nfailed == 0 ? 0 : 1;
}
