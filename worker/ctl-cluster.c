/*
 * ctl-cluster: `routehookctl cluster [--json]`, and the one line
 * `routehookctl status` prints about it.
 *
 * What the hosts sharing state through etcd (the cluster section,
 * cluster.h) look like from here: the hosts whose worker holds a live
 * lease, with the spool depths each last published; the user locks held
 * and by whom; the shared budget spent in the last minute.  Everything
 * is read, nothing is changed.  Fails with 100 without a cluster
 * section, and with 111 when etcd does not answer (no quorum, no member
 * reachable): then the workers apply nothing either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cluster.h"
#include "err.h"
#include "ctl.h"
#include "msclock.h"
#include "vis.h"

#define CTL_CLUSTER_MAX	1000	/* hosts, and locks, listed */

const char ctl_cluster_usage[] =
"usage: routehookctl [-c FILE] cluster [--json]\n"
"\n"
"The hosts sharing state through etcd (the cluster section): each host\n"
"whose worker holds a live lease, with the depths of its spool as it last\n"
"published them; the user locks held, and by which host; the calls of the\n"
"shared budget (genesys.requests_per_minute) spent in the last minute.\n"
"\n"
"  --json     the same as one JSON object:\n"
"             {\"hosts\":[{\"host\",\"pid\",\"since\",\"new\",\"cur\",\n"
"              \"deferred\",\"dead\"}],\"locks\":[{\"user\",\"holder\"}],\n"
"              \"budget\":{\"used\",\"limit\"}}\n"
"\n"
"exit status: 0 done, 100 usage or configuration error (no cluster\n"
"section), 111 etcd did not answer (no quorum?)\n";

struct ctl_cluster {
	struct etcd	 etcd;
	struct etcd_kv	*hosts, *locks, budget;
	size_t		 nhosts, nlocks;
	int		 has_budget;
};

static int
ctl_cluster_open(const struct conf *c, struct etcd *e, char *err,
    size_t errsz)
{
	struct etcd_opts o;

	cluster_etcd_opts(c, 2000, &o);	/* an operator waits for the answer */
	return etcd_open(e, &o, err, errsz);
}

/* Every key under prefix + kind + "/", into a new array. */
static int
ctl_cluster_range(struct etcd *e, const char *prefix, const char *kind,
    struct etcd_kv **out, size_t *n, char *err, size_t errsz)
{
	struct etcd_answer a;
	char key[ETCD_KEY_MAX];

	*n = 0;
	if ((*out = calloc(CTL_CLUSTER_MAX, sizeof(**out))) == NULL) {
		err_set(err, errsz, "out of memory");
		return -1;
	}
	snprintf(key, sizeof(key), "%s%s/", prefix, kind);
	etcd_answer_init(&a, *out, CTL_CLUSTER_MAX);
	if (etcd_range(e, key, 1, &a, err, errsz) == -1)
		return -1;
	*n = a.nkvs;
	return 0;
}

static int
ctl_cluster_gather(const struct conf *c, struct ctl_cluster *cl, char *err,
    size_t errsz)
{
	struct etcd_answer a;
	char key[ETCD_KEY_MAX];

	memset(cl, 0, sizeof(*cl));
	if (ctl_cluster_open(c, &cl->etcd, err, errsz) == -1)
		return -1;
	if (ctl_cluster_range(&cl->etcd, c->cluster.prefix, "hosts",
	    &cl->hosts, &cl->nhosts, err, errsz) == -1 ||
	    ctl_cluster_range(&cl->etcd, c->cluster.prefix, "locks",
	    &cl->locks, &cl->nlocks, err, errsz) == -1)
		return -1;
	snprintf(key, sizeof(key), "%sbudget/%s", c->cluster.prefix,
	    c->genesys.client_id);
	etcd_answer_init(&a, &cl->budget, 1);
	if (etcd_range(&cl->etcd, key, 0, &a, err, errsz) == -1)
		return -1;
	cl->has_budget = a.nkvs == 1;
	return 0;
}

static void
ctl_cluster_free(struct ctl_cluster *cl)
{
	etcd_close(&cl->etcd);
	free(cl->hosts);
	free(cl->locks);
}

static long
ctl_cluster_used(const struct ctl_cluster *cl)
{
	return cl->has_budget ? cluster_budget_used(cl->budget.value,
	    msclock_real(), CLUSTER_WINDOW_MS) : 0;
}

/* A host record's member, or -1. */
static long long
ctl_host_num(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

static const char *
ctl_host_str(struct json_object *o, const char *name, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return key;	/* the key names the host too */
	return json_object_get_string(v);
}

static void
ctl_cluster_print(const struct conf *c, const struct ctl_cluster *cl)
{
	char shown[3 * CLUSTER_HOST_MAX], age[32];
	struct json_object *o;
	long long since;
	size_t i, plen = strlen(c->cluster.prefix);

	printf("cluster %s on %zu etcd endpoint%s\n", c->cluster.prefix,
	    c->cluster.netcd_endpoints,
	    c->cluster.netcd_endpoints == 1 ? "" : "s");
	printf("hosts alive %zu\n", cl->nhosts);
	for (i = 0; i < cl->nhosts; i++) {
		o = json_tokener_parse(cl->hosts[i].value);
		since = ctl_host_num(o, "since");
		ctl_fmt_age(since > 0 ? msclock_real() / 1000 - since : 0, age,
		    sizeof(age));
		printf("  %s  pid %lld  up %s  new %lld  cur %lld  deferred "
		    "%lld  dead %lld\n", vis_str(shown, sizeof(shown),
		    ctl_host_str(o, "host", cl->hosts[i].key + plen + 6)),
		    ctl_host_num(o, "pid"), age, ctl_host_num(o, "new"),
		    ctl_host_num(o, "cur"), ctl_host_num(o, "deferred"),
		    ctl_host_num(o, "dead"));
		json_object_put(o);
	}
	printf("user locks %zu\n", cl->nlocks);
	for (i = 0; i < cl->nlocks; i++) {
		printf("  %s", vis_str(shown, sizeof(shown),
		    cl->locks[i].key + plen + 6));
		printf("  held by %s\n", vis_str(shown, sizeof(shown),
		    cl->locks[i].value));
	}
	printf("budget %ld of %ld calls in the last minute (client %s)\n",
	    ctl_cluster_used(cl), c->genesys.requests_per_minute,
	    vis_str(shown, sizeof(shown), c->genesys.client_id));
}

static int
ctl_cluster_json(const struct conf *c, const struct ctl_cluster *cl)
{
	struct json_object *top, *arr, *o, *h;
	size_t i, plen = strlen(c->cluster.prefix);
	int bad = 0;

	if ((top = json_object_new_object()) == NULL)
		return -1;
	ctl_jset(top, "hosts", arr = json_object_new_array(), &bad);
	for (i = 0; arr != NULL && i < cl->nhosts; i++) {
		/* As the worker wrote it; a record not JSON is shown as null. */
		h = json_tokener_parse(cl->hosts[i].value);
		if (h == NULL || json_object_array_add(arr, h) != 0) {
			json_object_put(h);
			bad |= json_object_array_add(arr, NULL) != 0;
		}
	}
	ctl_jset(top, "locks", arr = json_object_new_array(), &bad);
	for (i = 0; arr != NULL && i < cl->nlocks; i++) {
		if ((o = json_object_new_object()) == NULL) {
			bad = 1;
			break;
		}
		ctl_jset(o, "user", json_object_new_string(cl->locks[i].key +
		    plen + 6), &bad);
		ctl_jset(o, "holder", json_object_new_string(
		    cl->locks[i].value), &bad);
		if (json_object_array_add(arr, o) != 0) {
			json_object_put(o);
			bad = 1;
		}
	}
	ctl_jset(top, "budget", o = json_object_new_object(), &bad);
	if (o != NULL) {
		ctl_jset(o, "used", json_object_new_int64(ctl_cluster_used(cl)),
		    &bad);
		ctl_jset(o, "limit", json_object_new_int64(
		    c->genesys.requests_per_minute), &bad);
	}
	if (!bad)
		printf("%s\n", json_object_to_json_string_ext(top,
		    JSON_C_TO_STRING_PLAIN));
	json_object_put(top);
	return bad ? -1 : 0;
}

int
ctl_cluster(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_JSON = CTL_OPT_LONG };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_cluster cl;
	char err[1024];
	int o, json = 0, rc;

	while ((o = ctl_getopt("cluster", argc, argv, ":h", opts)) != -1) {
		if (o == 'h')
			return ctl_usage(ctl_cluster_usage, EXIT_DONE);
		if (o != OPT_JSON)
			return ctl_usage(ctl_cluster_usage, EXIT_PERM);
		json = 1;
	}
	if (optind < argc) {
		ctl_errx("cluster: unexpected argument %s", argv[optind]);
		return ctl_usage(ctl_cluster_usage, EXIT_PERM);
	}
	if (ctl_conf_load(ctl) == -1)
		return EXIT_PERM;
	if (!ctl->conf.cluster.enabled) {
		ctl_errx("%s: no cluster section: this host keeps its state "
		    "in its spool", ctl->conf_file);
		return EXIT_PERM;
	}
	if (ctl_cluster_gather(&ctl->conf, &cl, err, sizeof(err)) == -1) {
		ctl_errx("%s; the workers apply nothing while etcd does not "
		    "answer", err);
		ctl_cluster_free(&cl);
		return EXIT_TEMP;
	}
	rc = EXIT_DONE;
	if (json) {
		if (ctl_cluster_json(&ctl->conf, &cl) == -1) {
			ctl_errx("out of memory");
			rc = EXIT_TEMP;
		}
	} else
		ctl_cluster_print(&ctl->conf, &cl);
	ctl_cluster_free(&cl);
	return rc;
}

int
ctl_cluster_alive(const struct conf *c, const char *host, char *err,
    size_t errsz)
{
	struct etcd_answer a;
	struct etcd_kv kv;
	struct etcd e;
	char key[ETCD_KEY_MAX];
	int rc;

	if (ctl_cluster_open(c, &e, err, errsz) == -1)
		return -1;
	snprintf(key, sizeof(key), "%shosts/%s", c->cluster.prefix, host);
	etcd_answer_init(&a, &kv, 1);
	rc = etcd_range(&e, key, 0, &a, err, errsz) == -1 ? -1 : a.nkvs == 1;
	etcd_close(&e);
	return rc;
}

int
ctl_cluster_summary(const struct conf *c, long *hosts, long *locks,
    long *used, char *err, size_t errsz)
{
	struct ctl_cluster cl;
	int rc = -1;

	if (ctl_cluster_gather(c, &cl, err, errsz) == 0) {
		*hosts = (long)cl.nhosts;
		*locks = (long)cl.nlocks;
		*used = ctl_cluster_used(&cl);
		rc = 0;
	}
	ctl_cluster_free(&cl);
	return rc;
}
