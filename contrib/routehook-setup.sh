#!/bin/sh
# routehook-setup.sh: create the users, directories and secret files that
# routehook's privilege split needs (after Postfix's).  Run it once as
# root after `make install`; running it again creates nothing twice and
# puts owners and modes back as below.  `make install` does not run it:
# it creates things outside DESTDIR.
#
#   routehook         user and group: runs routehook-worker and
#                     routehookctl, owns the spool, alone reads the OAuth
#                     client secret.
#   routehook-fcgi    user, member of group routehook: runs the
#                     network-facing responder, which can only drop files
#                     into the spool's tmp/ and new/, keep its record of
#                     accepted events in seen/ and read its webhook
#                     secret.
#
#   /etc/routehook/                root:routehook        0750
#     routehook.conf               root:routehook        0640 (from the
#                                  .sample when missing)
#     webhook.secret               routehook-fcgi        0600 (a random one
#                                  is made when missing: give it to Genesys)
#     client.secret                routehook             0600 (made empty
#                                  when missing: write the OAuth client
#                                  secret into it)
#   /var/spool/routehook/          routehook:routehook   0750
#     tmp/ new/                    routehook:routehook   2770: the
#                                  responder creates and renames here; the
#                                  set-group-id bit gives every event group
#                                  routehook, so the worker can read it
#                                  whoever wrote it
#     cur/ deferred/ dead/         routehook:routehook   0750: the
#                                  responder may count (health), not touch
#     state/                       routehook:routehook   0700: the worker's
#                                  alone (its token)
#     seen/                        routehook-fcgi:routehook 0700: the
#                                  responder's alone (what it accepted,
#                                  so that a replay is not stored twice)
#   /var/log/routehook/            routehook:routehook   0750 (the audit file)
#
# The responder owns the events it writes, even after the worker has moved
# them: it gains nothing by that, since holding the webhook secret it can
# spool any event anyway.  The worker treats every spooled event as
# untrusted input.
#
# When the web server starts the responder itself (Apache mod_fcgid or
# CGI, lighttpd "bin-path" or CGI), it runs as the web server's user:
# set ROUTEHOOK_FCGI_USER=www-data, and www-data joins group routehook
# (and with it every other program running as www-data).
#
# Environment, with defaults (spool_dir, secret_file, client_secret_file
# and audit.file in routehook.conf must name the same places):
#   ROUTEHOOK_USER=routehook  ROUTEHOOK_FCGI_USER=routehook-fcgi
#   ROUTEHOOK_ETC=/etc/routehook  ROUTEHOOK_SPOOL=/var/spool/routehook
#   ROUTEHOOK_LOG=/var/log/routehook
#   ROUTEHOOK_SAMPLE=$ROUTEHOOK_ETC/routehook.conf.sample
#
# Symbolic links: the spool's owner can replace tmp/, new/ and the others
# with a link (to /etc, say) between two runs.  This script never follows
# a link it did not create: owners and modes are set through a descriptor
# opened with O_NOFOLLOW (perl, which Debian always has: there is no
# chown or chmod that cannot follow a link given on the command line), so
# a link found where a directory or file of ours should be, even one that
# appears between a check and the change, stops the script with a message
# naming it, and nothing is changed through it.
#
# Exit status: 0 done, 1 something failed (the message says what).
set -eu

user=${ROUTEHOOK_USER:-routehook}
fcgi_user=${ROUTEHOOK_FCGI_USER:-routehook-fcgi}
etc=${ROUTEHOOK_ETC:-/etc/routehook}
spool=${ROUTEHOOK_SPOOL:-/var/spool/routehook}
logdir=${ROUTEHOOK_LOG:-/var/log/routehook}
sample=${ROUTEHOOK_SAMPLE:-$etc/routehook.conf.sample}
group=$user

say() { echo "routehook-setup: $*"; }
die() { echo "routehook-setup: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"

# add_user NAME: a system user with its own group, no home, no login.
add_user() {
	if id -u "$1" >/dev/null 2>&1; then
		return 0
	fi
	useradd --system --user-group --home-dir /nonexistent \
	    --no-create-home --shell /usr/sbin/nologin "$1"
	say "created user $1"
}

# no_link PATH: stop if PATH is a symbolic link (dangling or not).
no_link() {
	[ ! -L "$1" ] || die "$1 is a symbolic link: not following it" \
	    "(remove it, then run this again)"
}

# fix d|f MODE OWNER:GROUP PATH: give the directory (d) or regular file
# (f) PATH its owner and mode through one descriptor opened without
# following a link, and refuse anything else found there.
fix() {
	perl -e '
use strict;
use Fcntl;
my ($type, $mode, $owner, $path) = @ARGV;
my ($u, $g) = split /:/, $owner, 2;
my $uid = getpwnam($u);
my $gid = getgrnam($g);
defined $uid && defined $gid or die "no user $u or no group $g\n";
# O_NONBLOCK: a FIFO planted there must not hang the open.
sysopen(my $fh, $path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    or die($!{ELOOP} ? "$path is a symbolic link: not following it\n"
    : "$path: $!\n");
($type eq "d" ? -d $fh : -f $fh)
    or die "$path is not a " . ($type eq "d" ? "directory" : "file") . "\n";
chown($uid, $gid, $fh) or die "chown $path: $!\n";
chmod(oct($mode), $fh) or die "chmod $path: $!\n";
' "$1" "$2" "$3" "$4" || die "$4: owner and mode not set"
}

# dir MODE OWNER:GROUP PATH
dir() {
	no_link "$3"
	mkdir -p "$3"
	fix d "$1" "$2" "$3"
}

# secret OWNER PATH HOW: an existing secret keeps its content; a missing
# one is made by HOW ("random" or "empty") in a file mktemp creates
# (O_EXCL, mode 0600) beside it and renamed into place, so it is never
# readable by anybody else, even for a moment, nor half-written.
secret() {
	no_link "$2"
	if [ ! -e "$2" ]; then
		tmp=$(mktemp "$2.XXXXXX") || die "cannot create a file beside $2"
		if [ "$3" = random ]; then
			{ od -An -N32 -tx1 /dev/urandom | tr -d ' \n' &&
			    echo; } >"$tmp" || { rm -f "$tmp"; die "cannot write $tmp"; }
		fi
		mv -T "$tmp" "$2" || { rm -f "$tmp"; die "cannot create $2"; }
		say "created $2 ($3)"
	fi
	fix f 0600 "$1:$1" "$2"
}

add_user "$user"
add_user "$fcgi_user"
if ! id -nG "$fcgi_user" | tr ' ' '\n' | grep -qx "$group"; then
	usermod -a -G "$group" "$fcgi_user"
	say "added $fcgi_user to group $group"
fi

dir 0750 "root:$group" "$etc"
no_link "$etc/routehook.conf"
if [ ! -e "$etc/routehook.conf" ] && [ -f "$sample" ]; then
	tmp=$(mktemp "$etc/routehook.conf.XXXXXX") ||
	    die "cannot create a file in $etc"
	cat "$sample" >"$tmp" && mv -T "$tmp" "$etc/routehook.conf" ||
	    { rm -f "$tmp"; die "cannot create $etc/routehook.conf"; }
	say "created $etc/routehook.conf from $sample"
fi
if [ -e "$etc/routehook.conf" ]; then
	fix f 0640 "root:$group" "$etc/routehook.conf"
fi
secret "$fcgi_user" "$etc/webhook.secret" random
secret "$user" "$etc/client.secret" empty
[ -s "$etc/client.secret" ] ||
    say "write the OAuth client secret into $etc/client.secret"

dir 0750 "$user:$group" "$spool"
for d in tmp new; do
	dir 2770 "$user:$group" "$spool/$d"
done
for d in cur deferred dead; do
	dir 0750 "$user:$group" "$spool/$d"
done
dir 0700 "$user:$group" "$spool/state"
dir 0700 "$fcgi_user:$group" "$spool/seen"
dir 0750 "$user:$group" "$logdir"
say "done"
