/*
 * sig: signals as events on a descriptor (the self-pipe trick), so the
 * worker's one poll(2) wakes for them like for a socket.
 *
 *	SIGTERM, SIGINT		WSIG_STOP: stop claiming, finish, exit
 *	SIGHUP			WSIG_REOPEN: reopen the audit file
 *	SIGPIPE			ignored (a closed connection is an error return)
 */
#ifndef ROUTEHOOK_SIG_H
#define ROUTEHOOK_SIG_H

#include <stddef.h>

#define WSIG_STOP	0x1
#define WSIG_REOPEN	0x2

int	 sig_init(char *err, size_t errsz);
/* The read end of the pipe: readable when a signal came; -1 before init. */
int	 sig_fd(void);
/* The signals seen since the last call (WSIG_* bits); empties the pipe. */
int	 sig_take(void);

#endif
