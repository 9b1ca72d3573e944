/*
 * secret: read the secret files the configuration names.
 *
 * A secret never appears in the configuration text or on a command line,
 * only the name of a file holding it.  conf_load() does not open those
 * files: each program reads only the secrets it needs (the web-facing
 * responder never touches the OAuth client secret), with the functions
 * below, into the slots struct conf keeps for them.
 *
 * A secret file holds one line; a trailing "\n" or "\r\n" is removed and
 * the line must not be empty.  Symbolic links are followed on purpose:
 * secret stores (Kubernetes, systemd credentials) link them.
 *
 * Errors: every function returns 0 or -1; on -1 the caller's err buffer
 * holds one or more lines "CONFFILE:LINE: KEY: PATH: why" (or
 * "CONFFILE: KEY (default) PATH: why" for a default path), separated by
 * '\n'.  No message ever holds a secret's bytes, and every buffer that
 * held them is wiped; a failed read leaves the slot empty (len 0).
 */
#ifndef ROUTEHOOK_SECRET_H
#define ROUTEHOOK_SECRET_H

#include <stddef.h>

#define SECRET_MAX	1024	/* bytes in one secret file */

struct secret {
	unsigned char	 key[SECRET_MAX];
	size_t		 len;
};

struct conf;
struct conf_path;

/*
 * Read the secret file p into *out.  c names the configuration file for
 * the message and key the key that named p ("receiver.secret_file").
 */
int	 secret_read(const struct conf *c, const struct conf_path *p,
	    const char *key, struct secret *out, char *err, size_t errsz);

/*
 * Every secret file of the receiver's configured schemes (receiver.auth):
 * all of them are read, so that every bad file is named at once.
 */
int	 secret_read_receiver(struct conf *c, char *err, size_t errsz);

/* genesys.client_secret_file into c->genesys.client_secret. */
int	 secret_read_client(struct conf *c, char *err, size_t errsz);

/* Wipe n secrets (OPENSSL_cleanse: the compiler cannot drop it). */
void	 secret_wipe(struct secret *s, size_t n);

#endif
