/*
 * routehookctl: the operator's tool for routehook.
 *
 *	routehookctl [-c FILE] COMMAND [ARGS]
 *
 *	check		validate the configuration and every file it names
 *	status		the spool, recent outcomes, SLA breaches, the token
 *	queue		list, show, flush, hold or release waiting events
 *	dead		list, show, replay or purge dead letters
 *	simulate	send signed test events to the receiver
 *	register	register a webhook (the tutorial's API)
 *
 * It reads the same configuration as the responder and the worker (-c
 * FILE, else $ROUTEHOOK_CONFIG, else /etc/routehook/routehook.conf) and
 * looks at the spool only through lib/spool, so what it shows is what
 * they see.  This file holds main() and `check`; the other commands are
 * in worker/ctl-*.c.
 *
 * How it fails: exit 0 when the command did its job, 1 when it did and
 * found problems (a missing dead letter, a rejected event), 100 on a
 * usage or configuration error, 111 on a temporary failure (an endpoint
 * that cannot be reached).  Every message names what is wrong.  No
 * secret ever reaches its output, its errors or its argv.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf.h"
#include "ctl.h"
#include "log.h"
#include "secret.h"
#include "spool.h"
#include "version.h"

static const char ctl_main_usage[] =
"usage: routehookctl [-c FILE] COMMAND [ARGS]\n"
"\n"
"commands:\n"
"  check      validate the configuration and every file it names\n"
"  status     the spool, recent outcomes, SLA breaches and the token\n"
"  queue      list, show, flush, hold or release waiting events\n"
"  dead       list, show, replay or purge dead letters\n"
"  simulate   send signed test events to the receiver\n"
"  register   register a webhook (the tutorial's API) and save its secret\n"
"  cluster    the hosts sharing state through etcd, their locks and budget\n"
"  adopt      take over the events of a dead host's spool\n"
"\n"
"  -c, --config FILE  the configuration (else $ROUTEHOOK_CONFIG, else\n"
"                     " CONF_DEFAULT_PATH ")\n"
"  -h, --help         this text\n"
"  -V, --version      print the version and exit\n"
"\n"
"\"routehookctl COMMAND --help\" describes a command.\n"
"exit status: 0 done, 1 done and found problems, 100 usage or\n"
"configuration error, 111 temporary failure (try again later)\n";

static const char ctl_check_usage[] =
"usage: routehookctl [-c FILE] check [--online [--user ID] [--queue ID]]\n"
"\n"
"Whether the responder and the worker will run with this configuration:\n"
"the secret files (readable, and not by group or others), the client id\n"
"and secret, the spool directories (present and writable; check never\n"
"creates them), the audit file's directory and file, the metrics file's\n"
"directory, genesys.ca_file (PEM certificates); and, for the user each\n"
"program runs as (the worker: the spool's owner; the responder: the\n"
"webhook secret's owner), that the worker can read the client secret\n"
"and write state/ and the audit file, and that the responder can write\n"
"tmp/ and new/ and cannot read the client secret.\n"
"Prints \"configuration OK\", or every problem as FILE:LINE: message.\n"
"\n"
"  --online     then fetch a token and ask Genesys Cloud, by calls that\n"
"               change nothing, whether the OAuth client has each\n"
"               permission the worker needs; names any that is missing\n"
"  --user ID    an agent to read and probe (default: a placeholder id)\n"
"  --queue ID   a queue to probe (default: a placeholder id)\n"
"\n"
"exit status: 0 OK, 100 problems found (a permission missing, credentials\n"
"refused), 111 Genesys Cloud unreachable or busy (--online)\n";

struct ctl_check {
	const char	*file;
	int		 problems;
};

static void ctl_problem(struct ctl_check *, int, const char *, ...)
    LOG_PRINTF(3, 4);

/* "FILE:LINE: message", or "FILE: message" when no line applies. */
static void
ctl_problem(struct ctl_check *ck, int line, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		printf("%s:%d: ", ck->file, line);
	else
		printf("%s: ", ck->file);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	ck->problems++;
}

/* conf's own messages are already "FILE:LINE: ..." lines. */
static void
ctl_problem_lines(struct ctl_check *ck, char *err)
{
	char *line, *next;

	for (line = err; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0') {
			puts(line);
			ck->problems++;
		}
	}
}

static void
ctl_check_secret(struct ctl_check *ck, const struct conf *c,
    const struct conf_path *p, const char *key)
{
	struct secret *sec = NULL;
	struct stat st;
	char err[2048];

	if (p->path == NULL || p->path[0] == '\0') {
		ctl_problem(ck, p->line, "%s is not set", key);
		return;
	}
	if (stat(p->path, &st) == -1) {
		ctl_problem(ck, p->line, "%s %s: %s", key, p->path,
		    strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		ctl_problem(ck, p->line, "%s %s: not a regular file", key,
		    p->path);
		return;
	}
	if (st.st_mode & (S_IRGRP | S_IROTH))
		ctl_problem(ck, p->line,
		    "%s %s: readable by others (chmod 600)", key, p->path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		ctl_problem(ck, p->line,
		    "%s %s: writable by others (chmod 600)", key, p->path);
	/* Read it as the programs will: one line, not empty. */
	if ((sec = malloc(sizeof(*sec))) == NULL) {
		ctl_problem(ck, p->line, "%s %s: %s", key, p->path,
		    strerror(errno));
		return;
	}
	if (secret_read(c, p, key, sec, err, sizeof(err)) == -1)
		ctl_problem_lines(ck, err);
	OPENSSL_cleanse(sec, sizeof(*sec));
	free(sec);
}

/* One sender scheme's secret files, named as secret.c names them. */
static void
ctl_check_keyring(struct ctl_check *ck, const struct conf *c,
    const struct conf_keyring *kr, const char *key)
{
	char name[128];
	size_t i;

	for (i = 0; i < kr->nfiles && i < CONF_MAX_SECRETS; i++) {
		if (kr->nfiles == 1)
			snprintf(name, sizeof(name), "%s", key);
		else
			snprintf(name, sizeof(name), "%s[%zu]", key, i);
		ctl_check_secret(ck, c, &kr->files[i], name);
	}
}

/*
 * A directory that must exist and be writable by whoever runs check (the
 * operator runs it as the user the programs run as).
 */
static int
ctl_check_dir(struct ctl_check *ck, int line, const char *label,
    const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			ctl_problem(ck, line, "%s %s: missing", label, path);
		else
			ctl_problem(ck, line, "%s %s: %s", label, path,
			    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		ctl_problem(ck, line, "%s %s: not a directory", label, path);
		return -1;
	}
	if (access(path, W_OK | X_OK) == -1) {
		ctl_problem(ck, line, "%s %s: not writable: %s", label, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
ctl_check_spool(struct ctl_check *ck, const struct conf *c)
{
	static const enum spool_dir dirs[] = {
		SPOOL_TMP, SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_DEAD,
		SPOOL_STATE
	};
	const struct conf_path *p = &c->spool_dir;
	char path[4096];
	size_t i;

	if (ctl_check_dir(ck, p->line, "spool_dir", p->path) == -1)
		return;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", p->path,
		    spool_dir_name(dirs[i])) >= sizeof(path)) {
			ctl_problem(ck, p->line, "spool_dir %s: path too long",
			    p->path);
			return;
		}
		ctl_check_dir(ck, p->line, "spool_dir", path);
	}
}

/* A file the worker appends to: its directory writable, and it too. */
static void
ctl_check_output(struct ctl_check *ck, const struct conf_path *p,
    const char *key)
{
	struct stat st;
	char *copy, label[4096 + 64];

	if (p->path == NULL || p->path[0] == '\0')
		return;
	if ((copy = strdup(p->path)) == NULL) {
		ctl_problem(ck, p->line, "%s %s: %s", key, p->path,
		    strerror(errno));
		return;
	}
	snprintf(label, sizeof(label), "%s %s: directory", key, p->path);
	/* dirname() may modify its argument: give it the copy. */
	if (ctl_check_dir(ck, p->line, label, dirname(copy)) == 0 &&
	    stat(p->path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			ctl_problem(ck, p->line, "%s %s: not a regular file",
			    key, p->path);
		else if (access(p->path, W_OK) == -1)
			ctl_problem(ck, p->line, "%s %s: not writable: %s",
			    key, p->path, strerror(errno));
	}
	free(copy);
}

/* A user's name for a message: "routehook", or "uid 1234". */
static const char *
ctl_user_name(uid_t uid, char *buf, size_t bufsz)
{
	struct passwd *pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(buf, bufsz, "%s", pw->pw_name);
	else
		snprintf(buf, bufsz, "uid %ld", (long)uid);
	return buf;
}

/*
 * Whether uid may read (4), write (2) or search (1) what st describes, by
 * its mode bits, as the kernel decides for that user (root may all).
 * The user's groups come from the group database (getgrgid), as the
 * login that starts the daemon gets them.
 */
static int
ctl_user_can(uid_t uid, const struct stat *st, mode_t want)
{
	struct passwd *pw;
	struct group *gr;
	char **m;
	int member = 0;

	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return (st->st_mode & (want << 6)) == (want << 6);
	if ((pw = getpwuid(uid)) != NULL) {
		if (pw->pw_gid == st->st_gid)
			member = 1;
		else if ((gr = getgrgid(st->st_gid)) != NULL)
			for (m = gr->gr_mem; *m != NULL && !member; m++)
				member = strcmp(*m, pw->pw_name) == 0;
	}
	if (member)
		return (st->st_mode & (want << 3)) == (want << 3);
	return (st->st_mode & want) == want;
}

/*
 * What each program needs under the privilege split, asked for the user
 * that runs it rather than for whoever runs check (root can read all):
 * the worker runs as the spool's owner, and needs the client secret, its
 * state/ and the audit file; the responder runs as the owner of the
 * webhook secret it reads (routehook-setup.sh makes it so), and needs to
 * write the spool's tmp/ and new/, and must not read the client secret.
 */
static void
ctl_check_users(struct ctl_check *ck, const struct conf *c)
{
	const struct conf_path *sp = &c->spool_dir, *cs =
	    &c->genesys.client_secret_file, *au = &c->audit.file;
	struct stat root, st, ws;
	char path[4096], wname[64], rname[64], *copy;
	const char *key = "receiver.secret_file";
	uid_t worker, fcgi;
	int has_client, i, has_ws = 0;

	if (stat(sp->path, &root) == -1 || !S_ISDIR(root.st_mode))
		return;		/* ctl_check_spool() has said why */
	worker = root.st_uid;
	ctl_user_name(worker, wname, sizeof(wname));

	snprintf(path, sizeof(path), "%s/%s", sp->path,
	    spool_dir_name(SPOOL_STATE));
	if (stat(path, &st) == 0) {
		if (st.st_uid != worker)
			ctl_problem(ck, sp->line, "spool_dir %s: owned by %s, "
			    "not by %s, who owns the spool and runs the worker",
			    path, ctl_user_name(st.st_uid, rname,
			    sizeof(rname)), wname);
		else if (st.st_mode & 077)
			ctl_problem(ck, sp->line, "spool_dir %s: open to "
			    "others (chmod 700): it holds the token", path);
	}

	has_client = c->genesys.client_id != NULL &&
	    c->genesys.client_id[0] != '\0';
	if (!has_client)
		ctl_problem(ck, 0, "genesys.client_id is not set: the worker "
		    "cannot get a token, and refuses to start");
	if (has_client && cs->path != NULL && cs->path[0] != '\0' &&
	    stat(cs->path, &st) == 0 && !ctl_user_can(worker, &st, 4))
		ctl_problem(ck, cs->line, "genesys.client_secret_file %s: not "
		    "readable by %s, who owns the spool and runs the worker",
		    cs->path, wname);

	if (au->path != NULL && au->path[0] != '\0') {
		if (stat(au->path, &st) == 0 && S_ISREG(st.st_mode) &&
		    !ctl_user_can(worker, &st, 2))
			ctl_problem(ck, au->line, "audit.file %s: not writable "
			    "by %s, who runs the worker", au->path, wname);
		else if ((copy = strdup(au->path)) != NULL) {
			if (stat(dirname(copy), &st) == 0 &&
			    !ctl_user_can(worker, &st, 3))
				ctl_problem(ck, au->line, "audit.file %s: its "
				    "directory is not writable by %s, who runs "
				    "the worker", au->path, wname);
			free(copy);
		}
	}

	/* The responder: whoever owns the (first) webhook secret. */
	for (i = 0; i < (int)c->receiver.nsecret_files && !has_ws; i++)
		if (stat(c->receiver.secret_files[i].path, &ws) == 0)
			has_ws = 1;
	if (!has_ws)
		return;
	i--;
	if (c->receiver.nsecret_files > 1)
		key = "receiver.secret_files";
	fcgi = ws.st_uid;
	ctl_user_name(fcgi, rname, sizeof(rname));
	if (!ctl_user_can(fcgi, &ws, 4))
		ctl_problem(ck, c->receiver.secret_files[i].line, "%s %s: not "
		    "readable by its owner %s, who runs the responder", key,
		    c->receiver.secret_files[i].path, rname);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", sp->path,
		    spool_dir_name(i == 0 ? SPOOL_TMP : SPOOL_NEW));
		if (stat(path, &st) == 0 && !ctl_user_can(fcgi, &st, 3))
			ctl_problem(ck, sp->line, "spool_dir %s: not writable "
			    "by %s, who owns the webhook secret and so runs the "
			    "responder", path, rname);
	}
	if (fcgi != worker && has_client && cs->path != NULL &&
	    cs->path[0] != '\0' && stat(cs->path, &st) == 0 &&
	    ctl_user_can(fcgi, &st, 4))
		ctl_problem(ck, cs->line, "genesys.client_secret_file %s: "
		    "readable by %s, who runs the responder: only %s may",
		    cs->path, rname, wname);
}

/*
 * A CA bundle libcurl will hand to OpenSSL: at least one certificate, and
 * every PEM block in it a certificate OpenSSL can decode.
 */
static void
ctl_check_ca(struct ctl_check *ck, const struct conf_path *p)
{
	unsigned long e;
	FILE *fp;
	X509 *x;
	int n = 0;

	if (p->path == NULL || p->path[0] == '\0')
		return;
	if ((fp = fopen(p->path, "r")) == NULL) {
		ctl_problem(ck, p->line, "genesys.ca_file %s: %s", p->path,
		    strerror(errno));
		return;
	}
	ERR_clear_error();
	while ((x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
		X509_free(x);
		n++;
	}
	/* The loop ends with "no start line" at a clean end of file. */
	e = ERR_peek_last_error();
	if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE))
		ctl_problem(ck, p->line,
		    "genesys.ca_file %s: certificate %d: not valid PEM: %s",
		    p->path, n + 1, ERR_reason_error_string(e) ?
		    ERR_reason_error_string(e) : "unknown error");
	else if (ferror(fp))
		ctl_problem(ck, p->line, "genesys.ca_file %s: read error",
		    p->path);
	else if (n == 0)
		ctl_problem(ck, p->line,
		    "genesys.ca_file %s: no PEM certificate in it", p->path);
	ERR_clear_error();
	fclose(fp);
}

static int
ctl_check(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_ONLINE = CTL_OPT_LONG, OPT_USER, OPT_QUEUE };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "online", no_argument, NULL, OPT_ONLINE },
		{ "user", required_argument, NULL, OPT_USER },
		{ "queue", required_argument, NULL, OPT_QUEUE },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_check ck = { NULL, 0 };
	const char *user = NULL, *queue = NULL;
	struct conf *c = &ctl->conf;
	char err[8192], key[64];
	size_t i;
	int o, online = 0;

	while ((o = ctl_getopt("check", argc, argv, ":h", opts)) != -1) {
		if (o == OPT_ONLINE)
			online = 1;
		else if (o == OPT_USER)
			user = optarg;
		else if (o == OPT_QUEUE)
			queue = optarg;
		else
			return ctl_usage(ctl_check_usage, o == 'h' ?
			    EXIT_DONE : EXIT_PERM);
	}
	if (optind < argc || (!online && (user != NULL || queue != NULL))) {
		if (optind < argc)
			ctl_errx("check: unexpected argument %s",
			    argv[optind]);
		else
			ctl_errx("check: --user and --queue go with --online");
		return ctl_usage(ctl_check_usage, EXIT_PERM);
	}

	ctl->conf_file = conf_path(ctl->conf_arg);
	if (conf_load(c, ctl->conf_file, err, sizeof(err)) == -1) {
		ctl_problem_lines(&ck, err);
		return EXIT_PERM;
	}
	ctl->loaded = 1;
	ck.file = c->file;

	/*
	 * Named as conf names them, so both messages agree; only the sender
	 * schemes receiver.auth lists, as the responder reads them.
	 */
	for (i = 0; (c->receiver.auth & CONF_AUTH_HMAC) &&
	    i < c->receiver.nsecret_files; i++) {
		if (c->receiver.nsecret_files == 1)
			snprintf(key, sizeof(key), "receiver.secret_file");
		else
			snprintf(key, sizeof(key), "receiver.secret_files[%zu]",
			    i);
		ctl_check_secret(&ck, c, &c->receiver.secret_files[i], key);
	}
	if (c->receiver.auth & CONF_AUTH_STANDARD_WEBHOOKS)
		ctl_check_keyring(&ck, c, &c->receiver.standard_webhooks.keys,
		    "receiver.standard_webhooks.secret_files");
	if (c->receiver.auth & CONF_AUTH_API_KEY)
		ctl_check_keyring(&ck, c, &c->receiver.api_key.keys,
		    "receiver.api_key.secret_files");
	if (c->receiver.auth & CONF_AUTH_BASIC)
		ctl_check_keyring(&ck, c, &c->receiver.basic.keys,
		    "receiver.basic.secret_files");
	if (c->genesys.client_id != NULL && c->genesys.client_id[0] != '\0')
		ctl_check_secret(&ck, c, &c->genesys.client_secret_file,
		    "genesys.client_secret_file");
	ctl_check_spool(&ck, c);
	ctl_check_output(&ck, &c->audit.file, "audit.file");
	ctl_check_output(&ck, &c->worker.metrics_file, "worker.metrics_file");
	ctl_check_ca(&ck, &c->genesys.ca_file);
	ctl_check_users(&ck, c);

	if (ck.problems != 0)
		return EXIT_PERM;
	puts("configuration OK");
	if (online)
		return ctl_check_online(c, user, queue);
	return EXIT_DONE;
}

/*
 * The global options stop at the command's name ("+"): what follows is
 * the command's to parse.  1: answered (--help, --version), 0: go on,
 * -1: a usage error, already reported.
 */
static int
ctl_main_opts(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	opterr = 0;
	while ((o = ctl_getopt(NULL, argc, argv, "+:c:hV", opts)) != -1) {
		switch (o) {
		case 'c':
			ctl->conf_arg = optarg;
			break;
		case 'h':
			ctl_usage(ctl_main_usage, EXIT_DONE);
			return 1;
		case 'V':
			printf("routehookctl %s\n", ROUTEHOOK_VERSION);
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

/* A full disk or a closed pipe is not "done". */
static int
ctl_flush(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_err("standard output");
		if (rc == EXIT_DONE)
			rc = EXIT_TEMP;
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		int		 (*fn)(struct ctl *, int, char **);
	} cmds[] = {
		{ "check", ctl_check },
		{ "status", ctl_status },
		{ "queue", ctl_queue },
		{ "dead", ctl_dead },
		{ "simulate", ctl_simulate },
		{ "register", ctl_register },
		{ "cluster", ctl_cluster },
		{ "adopt", ctl_adopt },
	};
	struct ctl ctl;
	size_t k;
	int i, rc;

	memset(&ctl, 0, sizeof(ctl));
	log_init(CTL_PROG, 0);
	if ((rc = ctl_main_opts(&ctl, argc, argv)) != 0)
		return rc == 1 ? ctl_flush(EXIT_DONE) :
		    ctl_usage(ctl_main_usage, EXIT_PERM);
	if ((i = optind) >= argc) {
		ctl_errx("no command given");
		return ctl_usage(ctl_main_usage, EXIT_PERM);
	}
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		if (strcmp(argv[i], cmds[k].name) == 0) {
			/* A new scan, of the command's words (see ctl-util.c). */
			optind = 0;
			rc = cmds[k].fn(&ctl, argc - i, argv + i);
			ctl_free(&ctl);
			return ctl_flush(rc);
		}
	}
	ctl_errx("unknown command %s", argv[i]);
	return ctl_usage(ctl_main_usage, EXIT_PERM);
}
