/*
 * conf: the one routehook configuration file (libconfig syntax), shared by
 * every program.  conf_load() reads it, applies defaults, and checks it
 * against the whole schema (receiver, genesys, worker, sla, audit, routing),
 * so that no program rejects another's keys and a typo never passes: an
 * unknown key, a wrong type or an out-of-range value is an error naming
 * FILE:LINE.
 *
 * Secrets are never in the file itself, only the names of files holding
 * them.  conf_load() does not open them: secret.h reads them into the
 * slots kept here.  The built-in status words live beside the mapping
 * that uses them, in event.h; conf_load() installs them before the file's.
 *
 * Errors: every function returns 0 or -1; on -1 the caller's err buffer
 * holds one or more lines "FILE:LINE: message" (or "FILE: message" when no
 * line applies), separated by '\n', without a final newline.
 */
#ifndef ROUTEHOOK_CONF_H
#define ROUTEHOOK_CONF_H

#include <stddef.h>

#include "secret.h"

#define CONF_DEFAULT_PATH	"/etc/routehook/routehook.conf"
#define CONF_ENV		"ROUTEHOOK_CONFIG"
#define CONF_MAX_SECRETS	8
#define CONF_MAX_STATUS_MAP	64
#define CONF_MAX_ETCD		8	/* cluster.etcd_endpoints */

/* A path-valued key, with the line it was set on (0: the default). */
struct conf_path {
	char	*path;
	int	 line;
};

struct conf_status_map {
	char	*from;		/* the sender's word, matched ignoring case */
	char	*to;		/* a Genesys routing status, e.g. "IDLE" */
};

enum conf_sig_encoding { CONF_SIG_HEX, CONF_SIG_BASE64 };

/* The sender schemes of receiver.auth, as bits of conf.receiver.auth. */
enum conf_auth {
	CONF_AUTH_HMAC			= 1 << 0,
	CONF_AUTH_STANDARD_WEBHOOKS	= 1 << 1,
	CONF_AUTH_API_KEY		= 1 << 2,
	CONF_AUTH_BASIC			= 1 << 3
};

/*
 * The secret files of one scheme (several: rotation) and, once
 * secret_read_receiver() has read them, their secrets.
 */
struct conf_keyring {
	struct conf_path	 files[CONF_MAX_SECRETS];
	size_t			 nfiles;
	struct secret		 secrets[CONF_MAX_SECRETS];
	size_t			 nsecrets;
};

struct conf {
	char			*file;		/* the file read */
	struct conf_path	 spool_dir;

	struct {
		struct conf_path	 secret_files[CONF_MAX_SECRETS];
		size_t			 nsecret_files;
		char			*signature_header;	/* "X-Genesys-Signature" */
		char			*signature_param;	/* "HTTP_X_GENESYS_SIGNATURE" */
		enum conf_sig_encoding	 signature_encoding;
		char			*signature_prefix;	/* "" or e.g. "sha256=" */
		size_t			 max_body_bytes;
		int			 fsync;
		char			*mount;	/* "/routehook": health, metrics */
		long			 read_timeout_ms;	/* for a body */
		/* filled by secret_read_receiver() */
		struct secret		 secrets[CONF_MAX_SECRETS];
		size_t			 nsecrets;

		unsigned		 auth;		/* CONF_AUTH_* bits */
		struct {
			/* the key bytes, decoded from "whsec_<base64>" */
			struct conf_keyring	 keys;
			long			 tolerance_s;
		} standard_webhooks;
		struct {
			char			*header;	/* "X-API-Key" */
			char			*param;		/* "HTTP_X_API_KEY" */
			struct conf_keyring	 keys;
		} api_key;
		struct {
			struct conf_keyring	 keys;	/* "user:password" */
		} basic;
		long			 dedup_window_s;
		int			 require_event_time;
	} receiver;

	struct {
		char			*region;	/* "mypurecloud.com" */
		char			*api_base;	/* "https://api.<region>" */
		char			*login_base;	/* "https://login.<region>" */
		char			*client_id;	/* "" when unset */
		int			 client_id_line;
		struct conf_path	 client_secret_file;
		struct conf_path	 ca_file;	/* path "" when unset */
		long			 timeout_ms;
		long			 requests_per_minute;
		char			*webhook_path;	/* "/api/v2/platform/webhooks" */
		/* filled by secret_read_client() */
		struct secret	 client_secret;
	} genesys;

	struct {
		int			 concurrency;
		long			 backoff_min_ms;
		long			 backoff_max_ms;
		long			 retry_after_max_s;
		int			 max_attempts;
		long			 max_age_s;
		struct conf_path	 metrics_file;	/* path "" when unset */
	} worker;

	struct {
		long			 threshold_ms;
	} sla;

	struct {
		struct conf_path	 file;
	} audit;

	/* Absent by default: one host, its state in SPOOL/state (state.h). */
	struct {
		int			 enabled;	/* the section is there */
		char			*etcd_endpoints[CONF_MAX_ETCD];
		size_t			 netcd_endpoints;
		char			*prefix;	/* "/routehook/" */
		long			 lease_ttl_s;
		struct conf_path	 ca_file;	/* path "" when unset */
		struct conf_path	 cert_file;
		struct conf_path	 key_file;
	} cluster;

	struct {
		/* the built-in defaults first, then the file's entries */
		struct conf_status_map	 status_map[CONF_MAX_STATUS_MAP];
		size_t			 nstatus_map;
		long			 unchanged_window_s;	/* 0: off */
		int			 queue_bulk_max;	/* 1: no bulk */
	} routing;
};

/*
 * The file to read: the -c argument when not NULL, else $ROUTEHOOK_CONFIG,
 * else CONF_DEFAULT_PATH.
 */
const char	*conf_path(const char *arg);

/* Reads and checks path; on error *c holds nothing to free. */
int	 conf_load(struct conf *c, const char *path, char *err, size_t errsz);
void	 conf_free(struct conf *c);

#endif
