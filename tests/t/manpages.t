#!/usr/bin/env bash
# manpages.t: the five man pages format cleanly and never disagree with
# the programs and the configuration they describe.
#
#   format	`man --warnings -l PAGE` prints nothing on stderr (and
#		`mandoc -Tlint -W warning` neither, when mandoc is there);
#		each program's page has the sections an administrator looks
#		for.
#   options	each program's options, as a set of "-x", "-x ARG",
#		"--long", "--long ARG", taken from its --help output, are
#		exactly those of its page's SYNOPSIS and of its OPTIONS
#		list, and every .Fl anywhere in the page is one of them.
#		From --help: every word starting with - or -- after a space,
#		'[', '|', '(', ',' or a quote ("-tv" is -t and -v, as
#		getopt reads it), taking an argument when one space and an
#		UPPERCASE word or a word|word follows.  From the page: the
#		arguments of each .Fl macro ("Fl tv", "Fl -json"), taking an
#		argument when an Ar or Cm macro follows.
#   commands	routehookctl: the commands of `routehookctl --help` are the
#		items of the page's COMMANDS list; each command's options
#		(from `routehookctl CMD --help`, less the global -c) are the
#		.Fl of its items; dead's actions (list, show, ...) match.
#   config	routehook.conf.5 has an item for exactly the keys of
#		lib/conf.c's schema, each with its type (and for integers
#		its range, "integer, MIN to MAX"), and its "#key = default;"
#		lines are exactly those of etc/routehook.conf.
#
# Each comparison is also run once on a deliberately broken copy, which
# it must reject, so that none of them can pass by finding nothing.
. "$(dirname "$0")/../lib.sh"

command -v man >/dev/null || bail "man-db is not installed (make deps)"
command -v perl >/dev/null || bail "perl is not installed (make deps)"
cd "$RH_TOP" || bail "no $RH_TOP"

FCGI_8=fcgi/routehook-fcgi.8
WORKER_8=worker/routehook-worker.8
CTL_8=worker/routehookctl.8
CONF_5=etc/routehook.conf.5
OVERVIEW_7=etc/routehook.7
PAGES="$FCGI_8 $WORKER_8 $CTL_8 $CONF_5 $OVERVIEW_7"

for p in $PAGES; do
	[ -f "$p" ] || bail "no $p"
done
for p in "$FCGI" "$WORKER" "$CTL"; do
	[ -x "$p" ] || bail "no $p: build first"
done

# --- the parsers ---------------------------------------------------------
cat >"$T/mp.pl" <<'PERL'
use strict;
use warnings;

sub slurp { my ($f) = @_; local $/; open(my $h, '<', $f) or die "$f: $!\n"; my $s = <$h>; close $h; return $s }
sub out { print map { "$_\n" } sort { $a cmp $b } keys %{ { map { $_ => 1 } @_ } } }

# --- --help text -------------------------------------------------------
# Option words and whether one takes an argument, as "-c ARG" / "-t".
sub help_opts {
	my ($text) = @_;
	my %o;
	while ($text =~ /(?<![^\s\[|("',])(--?[A-Za-z][A-Za-z0-9-]*)/g) {
		my ($w, $rest) = ($1, substr($text, pos($text)));
		my $arg = $rest =~ /^ (?:[A-Z][A-Z0-9_]*\b|[^\s|\]]+\|[^\s|\]]+)/;
		my @names = $w =~ /^--/ ? ($w) : map { "-$_" } split //, substr($w, 1);
		for my $i (0 .. $#names) {
			$o{$names[$i]} ||= ($arg && $i == $#names) ? 1 : 0;
		}
	}
	return map { $o{$_} ? "$_ ARG" : $_ } keys %o;
}

# --- mdoc source ----------------------------------------------------------
sub is_macro { $_[0] =~ /^[A-Z][a-z]{1,2}$/ }
sub is_delim { $_[0] =~ /^(?:\\&)?[|.,:;()\[\]?!]$/ }

# The .Fl options on one macro line, into %$o (name => takes an argument).
sub fl_opts {
	my ($line, $o) = @_;
	my @w = split ' ', substr($line, 1);
	for (my $i = 0; $i < @w; $i++) {
		next unless $w[$i] eq 'Fl';
		my ($j, @flags) = ($i + 1);
		for (; $j < @w && !is_macro($w[$j]); $j++) {
			push @flags, $w[$j] unless is_delim($w[$j]);
		}
		my $arg = $j < @w && ($w[$j] eq 'Ar' || $w[$j] eq 'Cm');
		for my $k (0 .. $#flags) {
			my $f = $flags[$k];
			my @names = $f =~ /^-/ ? ("-$f") : map { "-$_" } split //, $f;
			for my $n (0 .. $#names) {
				next if $names[$n] eq '--';	# the end of the options
				$o->{$names[$n]} ||= ($arg && $k == $#flags && $n == $#names) ? 1 : 0;
			}
		}
		$i = $j - 1;
	}
}

sub with_args { my ($o) = @_; return map { $o->{$_} ? "$_ ARG" : $_ } keys %$o }

# Walk a page: sections, list depth, items of the top list of a section.
# Returns { SECTION => {opts}, ALL => {opts}, items => [ {sec, ss, head =>
# [words], opts => {}} ] }.
sub man_parse {
	my ($file) = @_;
	my %r = (items => []);
	my ($sec, $ss, $depth, $item, $inhead) = ('', '', 0, undef, 0);
	for my $line (split /\n/, slurp($file)) {
		next unless $line =~ /^\./;
		if ($line =~ /^\.Sh\s+"?([^"]*)"?/) { ($sec, $ss, $depth, $item) = ($1, '', 0, undef); next }
		if ($line =~ /^\.Ss\s+"?([^"]*)"?/) { ($ss, $depth, $item) = ($1, 0, undef); next }
		if ($line =~ /^\.Bl\b/) { $depth++; next }
		if ($line =~ /^\.El\b/) { $depth--; next }
		my @w = split ' ', substr($line, 1);
		if ($line =~ /^\.It\b/ && $depth == 1) {
			$item = { sec => $sec, ss => $ss, head => [], opts => {}, hopts => {} };
			push @{ $r{items} }, $item;
			$inhead = 1;
		}
		my $head = $item && $inhead;
		if ($head) {
			push @{ $item->{head} }, grep { $_ ne 'It' && $_ ne 'Xo' && $_ ne 'Xc' } @w;
			$inhead = 0 unless (grep { $_ eq 'Xo' } @w) || ($line !~ /^\.It\b/ && $line !~ /^\.Xc\b/);
			$inhead = 0 if $line =~ /^\.Xc\b/;
		}
		fl_opts($line, $r{$sec} ||= {});
		fl_opts($line, $r{ALL} ||= {});
		fl_opts($line, $item->{opts}) if $item;
		fl_opts($line, $item->{hopts}) if $head;
	}
	return \%r;
}

# The leading "Cm word word" of an item's head: ("dead", "replay").
sub cm_words {
	my @h = @{ $_[0]{head} };
	return () unless @h && $h[0] eq 'Cm';
	my @c;
	for my $w (@h[1 .. $#h]) { last if is_macro($w); push @c, $w unless is_delim($w) }
	return @c;
}

# --- commands -------------------------------------------------------------
sub main_cmds {
	my ($what, $file) = @_;
	if ($what eq 'help') {
		my ($in, @c) = (0);
		for (split /\n/, slurp($file)) {
			if (/^commands:/) { $in = 1; next }
			last if $in && /^\s*$/;
			push @c, $1 if $in && /^\s+([a-z][a-z-]*)\s/;
		}
		return @c;
	}
	return map { (cm_words($_))[0] } grep { $_->{sec} eq 'COMMANDS' } @{ man_parse($file)->{items} };
}

# --- the configuration -------------------------------------------------------
sub unroff { my ($s) = @_; $s =~ s/\\\(dq/"/g; $s =~ s/\\&//g; $s =~ s/\\e/\\/g; return $s }

# "#key = value;" lines, qualified by their groups: "receiver.fsync = true;"
sub conf_defaults {
	my ($lines, @stack) = @_;
	my @d;
	for (@$lines) {
		if (/^\s*(\w+)\s*=\s*\{/) { push @stack, $1; next }
		if (/^\s*\};/) { pop @stack; next }
		push @d, join('.', @stack, $1) . " = $2" if /^\s*#(\w+)\s*=\s*(.*?)\s*$/;
	}
	return @d;
}

sub page_defaults {
	my ($file) = @_;
	my ($ss, $lit, @d, @block) = (undef, 0);
	for my $line (split /\n/, slurp($file)) {
		if ($line =~ /^\.Sh\b/) { $ss = undef; next }
		if ($line =~ /^\.Ss\s+"?([^"]*)"?/) { $ss = $1 eq 'Top level' ? '' : $1; next }
		if ($line =~ /^\.Bd\s+-literal/) { ($lit, @block) = (1); next }
		if ($line =~ /^\.Ed\b/ && $lit) {
			push @d, conf_defaults(\@block, length($ss // '') ? ($ss) : ()) if defined $ss;
			$lit = 0;
			next;
		}
		push @block, unroff($line) if $lit;
	}
	return @d;
}

# lib/conf.c's schema: "name type [min max]" per key, qualified.  A row
# is one macro call, "LONG("timeout_ms", genesys.timeout_ms, 10000, 100,
# 600000),": the name first, the range last for the integers.  Enums and
# lists of secret files are described in words on the page, like the
# special keys.
sub schema {
	my ($src) = @_;
	my %t;
	while ($src =~ /static const struct key (\w+)_keys\[\] = \{(.*?)\n\};/sg) { $t{$1} = $2 }
	my %type = (STR => 'STRING', QUIET_STR => 'STRING', PATH => 'PATH', OPT_PATH => 'OPT_PATH',
	    INT => 'INT', LONG => 'LONG', SIZE => 'SIZE', BOOL => 'BOOL', ENUM => 'SPECIAL',
	    KEYFILES => 'SPECIAL', SPECIAL => 'SPECIAL', GROUP => 'GROUP');
	my @k;
	my $walk;
	$walk = sub {
		my ($table, $prefix) = @_;
		while ($t{$table} =~ /^\s*([A-Z_]+)\((.*?)\),?[ \t]*$/msg) {
			my ($macro, @a) = ($1, map { s/^\s+|\s+$//gr } split /,/, $2);
			next if $macro eq 'END';
			my $type = $type{$macro} // die "lib/conf.c: unknown row $macro\n";
			(my $name = $a[0]) =~ s/"//g;
			if ($type eq 'GROUP') { my ($g) = $a[1] =~ /(\w+)_keys/; $walk->($g, "$prefix$name."); next }
			my @r = $type =~ /^(?:INT|LONG|SIZE)$/ ? map { $_ eq 'INT_MAX' ? 2147483647 : $_ } @a[-2, -1] : ();
			push @k, join(' ', "$prefix$name", $type, @r);
		}
	};
	$walk->('top', '');
	return @k;
}

# The page's items the same way: "name type [min max]", type from "(...)".
sub page_keys {
	my ($file) = @_;
	my @k;
	for my $it (@{ man_parse($file)->{items} }) {
		next unless $it->{sec} eq 'DESCRIPTION' && length $it->{ss};
		my @h = @{ $it->{head} };
		next unless @h >= 2 && $h[0] eq 'Cm';
		my $name = ($it->{ss} eq 'Top level' ? '' : "$it->{ss}.") . $h[1];
		my $desc = join ' ', @h[2 .. $#h];
		$desc =~ s/^Pq\s+//;
		push @k, "$name $desc";
	}
	return @k;
}

sub schema_as_page {
	my %type = (INT => 'integer', LONG => 'integer', SIZE => 'integer', BOOL => 'boolean',
	    PATH => 'path', OPT_PATH => 'path', STRING => 'string');
	return map {
		my ($n, $t, @r) = split ' ';
		$t eq 'SPECIAL' ? "$n *" : @r ? "$n $type{$t}, $r[0] to $r[1]" : "$n $type{$t}";
	} @_;
}

my ($mode, @a) = @ARGV;
if ($mode eq 'help') { out(help_opts(slurp($a[0]))) }
elsif ($mode eq 'help-sub') {	# FILE GLOBAL-FILE: less the global options
	my %g = map { (split ' ')[0] => 1 } help_opts(slurp($a[1]));
	out(grep { !$g{(split ' ')[0]} } help_opts(slurp($a[0])));
}
elsif ($mode eq 'man') {	# PAGE SECTION|ALL
	my $r = man_parse($a[0]);
	out(with_args($r->{$a[1]} || {}));
}
elsif ($mode eq 'man-names') { out(keys %{ man_parse($a[0])->{ALL} || {} }) }
elsif ($mode eq 'cmds') { out(main_cmds(@a)) }
elsif ($mode eq 'cmd-opts' || $mode eq 'cmd-head-opts') {	# PAGE CMD
	my ($key, %o) = ($mode eq 'cmd-opts' ? 'opts' : 'hopts');
	for my $it (grep { $_->{sec} eq 'COMMANDS' && ((cm_words($_))[0] // '') eq $a[1] } @{ man_parse($a[0])->{items} }) {
		$o{$_} ||= $it->{$key}{$_} for keys %{ $it->{$key} };
	}
	out(with_args(\%o));
}
elsif ($mode eq 'actions-help') {	# FILE CMD
	out(map { /routehookctl .*\b\Q$a[1]\E ([a-z][a-z-]*)\b/ ? $1 : () } split /\n/, slurp($a[0]));
}
elsif ($mode eq 'actions-man') {	# PAGE CMD
	out(map { my @c = cm_words($_); @c > 1 && $c[0] eq $a[1] ? $c[1] : () }
	    grep { $_->{sec} eq 'COMMANDS' } @{ man_parse($a[0])->{items} });
}
elsif ($mode eq 'sections') { out(map { /^\.Sh\s+"?([^"]*)"?/ ? $1 : () } split /\n/, slurp($a[0])) }
elsif ($mode eq 'schema') {	# conf.c: "key type[, min to max]", "*" for special
	out(schema_as_page(schema(slurp($a[0]))));
}
elsif ($mode eq 'page-keys') {	# the page's, with "*" where the schema says special
	my %special = map { (split ' ')[0] => 1 } grep { / \*$/ } schema_as_page(schema(slurp($a[1])));
	out(map { my ($n) = split ' '; $special{$n} ? "$n *" : $_ } page_keys($a[0]));
}
elsif ($mode eq 'sample-defaults') { out(conf_defaults([split /\n/, slurp($a[0])])) }
elsif ($mode eq 'page-defaults') { out(page_defaults($a[0])) }
else { die "mp.pl: unknown mode $mode\n" }
PERL

mp() { perl "$T/mp.pl" "$@"; }

# same WHAT A B DESCRIPTION: the two lists are equal (and not empty);
# their differences are shown.
same() {
	if [ ! -s "$2" ]; then
		ok 1 "$4"
		diag "no $1 found in $2"
		return 1
	fi
	if diff "$2" "$3" >"$T/diff"; then
		ok 0 "$4"
	else
		ok 1 "$4"
		diag "$1: < only in --help, the schema or the sample; > only in the page"
		sed 's/^/#   /' "$T/diff"
		return 1
	fi
}

# differs A B DESCRIPTION: for the broken copies, a difference must show.
differs() {
	refute "$3" cmp -s "$1" "$2" ||
	    diag "no difference: did the line this check breaks change in the page?"
}

# --- format -----------------------------------------------------------------
# An explicit locale: a missing one would be man's complaint, not the page's.
man_warnings() {
	LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l "$1" >/dev/null 2>"$2"
}

for p in $PAGES; do
	man_warnings "$p" "$T/warn"
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/warn" ]
	ok $? "man --warnings -l $p: exit 0, no warnings" ||
	    { diag "exit $rc"; sed 's/^/#   /' "$T/warn"; }
done
# The check can fail: an undefined macro is a warning.
sed '/^\.Sh DESCRIPTION/a .Zz undefined' "$FCGI_8" >"$T/broken.8"
man_warnings "$T/broken.8" "$T/warn"
assert "an undefined macro in a page is a warning the check sees" \
    test -s "$T/warn"

if command -v mandoc >/dev/null; then
	for p in $PAGES; do
		mandoc -Tlint -W warning "$p" >"$T/lint" 2>&1
		assert "mandoc -Tlint $p" \
		    test ! -s "$T/lint" || sed 's/^/#   /' "$T/lint"
	done
else
	skip "mandoc -Tlint" "mandoc is not installed"
fi

for p in $FCGI_8 $WORKER_8 $CTL_8; do
	mp sections "$p" >"$T/got"
	{
		printf '%s\n' NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES \
		    "EXIT STATUS" EXAMPLES "SEE ALSO"
		case $p in
		"$CTL_8") echo COMMANDS ;;
		*) echo SIGNALS ;;
		esac
	} | LC_ALL=C sort >"$T/want"
	LC_ALL=C comm -23 "$T/want" "$T/got" >"$T/missing"
	assert "$p has every section" \
	    test ! -s "$T/missing" || sed 's/^/#   missing: /' "$T/missing"
done
for p in $FCGI_8 $WORKER_8 $CTL_8; do
	codes=
	for c in 0 1 100 111; do
		sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$p" | grep -qx "\.It $c" &&
		    codes="$codes $c"
	done
	case $p in
	"$CTL_8") is "$codes" " 0 1 100 111" "$p: exit statuses 0, 1, 100, 111" ;;
	*) is "$codes" " 0 100 111" "$p: exit statuses 0, 100, 111" ;;
	esac
done

# --- options ---------------------------------------------------------------
# check_options PROG PAGE: --help against SYNOPSIS and OPTIONS; every .Fl
# in the page against --help and the files of option names given after.
check_options() {
	local prog=$1 name=${1##*/} help=$T/${1##*/}.help page=$2
	shift 2
	"$prog" --help >"$help" 2>&1
	ok $? "$name --help exits 0"
	mp help "$help" >"$T/help.opts"
	mp man "$page" SYNOPSIS >"$T/syn.opts"
	same "options" "$T/help.opts" "$T/syn.opts" \
	    "$name: --help and the SYNOPSIS of $page name the same options"
	mp man "$page" OPTIONS >"$T/opt.opts"
	same "options" "$T/help.opts" "$T/opt.opts" \
	    "$name: --help and the OPTIONS of $page name the same options"
	cut -d' ' -f1 "$T/help.opts" "$@" | LC_ALL=C sort -u >"$T/help.names"
	mp man-names "$page" >"$T/all.names"
	LC_ALL=C comm -13 "$T/help.names" "$T/all.names" >"$T/extra"
	assert "$name: no .Fl in $page that --help does not know" \
	    test ! -s "$T/extra" ||
	    sed 's/^/#   unknown: /' "$T/extra"
}

check_options "$FCGI" "$FCGI_8"
check_options "$WORKER" "$WORKER_8"

# The comparison can fail: a page with one option more, or one argument
# less, and a --help with one option more.
sed '/^\.Op Fl c Ar file/a .Op Fl x' "$FCGI_8" >"$T/broken.8"
mp man "$T/broken.8" SYNOPSIS >"$T/broken.opts"
mp man "$FCGI_8" SYNOPSIS >"$T/syn.opts"
differs "$T/syn.opts" "$T/broken.opts" "a bogus option in a SYNOPSIS is seen"
sed 's/^\.It Fl n Ar handlers$/.It Fl n/' "$FCGI_8" >"$T/broken.8"
mp man "$T/broken.8" OPTIONS >"$T/broken.opts"
mp man "$FCGI_8" OPTIONS >"$T/opt.opts"
differs "$T/opt.opts" "$T/broken.opts" "an option listed without its argument is seen"
{ cat "$T/routehook-fcgi.help"; echo "  -Z         a new option."; } >"$T/broken.help"
mp help "$T/broken.help" >"$T/broken.opts"
mp help "$T/routehook-fcgi.help" >"$T/help.opts"
differs "$T/help.opts" "$T/broken.opts" "a new option in --help is seen"

# --- routehookctl: global options, commands, each command's options ----------
"$CTL" --help >"$T/routehookctl.help" 2>&1
mp cmds help "$T/routehookctl.help" >"$T/help.cmds"
: >"$T/cmd.names"
for c in $(cat "$T/help.cmds"); do
	"$CTL" "$c" --help 2>&1 | mp help /dev/stdin | cut -d' ' -f1 >>"$T/cmd.names"
done
check_options "$CTL" "$CTL_8" "$T/cmd.names"

mp cmds man "$CTL_8" >"$T/man.cmds"
same "commands" "$T/help.cmds" "$T/man.cmds" \
    "routehookctl: --help and $CTL_8 list the same commands"

for c in $(cat "$T/help.cmds"); do
	"$CTL" "$c" --help >"$T/$c.help" 2>&1
	ok $? "routehookctl $c --help exits 0"
	mp help-sub "$T/$c.help" "$T/routehookctl.help" >"$T/help.opts"
	mp cmd-head-opts "$CTL_8" "$c" >"$T/head.opts"
	mp cmd-opts "$CTL_8" "$c" >"$T/man.opts"
	if [ -s "$T/help.opts" ] || [ -s "$T/man.opts" ]; then
		same "options" "$T/help.opts" "$T/head.opts" \
		    "routehookctl $c: --help and the heading of $c in $CTL_8 name the same options"
		same "options" "$T/help.opts" "$T/man.opts" \
		    "routehookctl $c: --help and the text of $c in $CTL_8 name the same options"
	else
		ok 0 "routehookctl $c: no options, in --help or $CTL_8"
	fi
	mp actions-help "$T/$c.help" "$c" >"$T/help.acts"
	mp actions-man "$CTL_8" "$c" >"$T/man.acts"
	if [ -s "$T/help.acts" ] || [ -s "$T/man.acts" ]; then
		same "actions" "$T/help.acts" "$T/man.acts" \
		    "routehookctl $c: --help and $CTL_8 name the same actions"
	fi
done

# Can fail: an option the page gives simulate that --help does not know,
# a command the page lacks, an action it lacks.
sed 's/^\.It Fl -bad-signature$/&\n.It Fl -bogus/' "$CTL_8" >"$T/broken.8"
mp cmd-opts "$T/broken.8" simulate >"$T/broken.opts"
mp cmd-opts "$CTL_8" simulate >"$T/man.opts"
differs "$T/man.opts" "$T/broken.opts" "a bogus option of one command is seen"
sed '/^\.Op Fl -rate Ar R$/d' "$CTL_8" >"$T/broken.8"
mp cmd-head-opts "$T/broken.8" simulate >"$T/broken.opts"
mp cmd-head-opts "$CTL_8" simulate >"$T/head.opts"
differs "$T/head.opts" "$T/broken.opts" "an option missing from a command's heading is seen"
sed '0,/^\.Cm check$/s//.Cm chekc/' "$CTL_8" >"$T/broken.8"
mp cmds man "$T/broken.8" >"$T/broken.cmds"
differs "$T/man.cmds" "$T/broken.cmds" "a misnamed command is seen"
sed 's/^\.Cm dead list$/.Cm dead lsit/' "$CTL_8" >"$T/broken.8"
mp actions-man "$T/broken.8" dead >"$T/broken.acts"
mp actions-man "$CTL_8" dead >"$T/man.acts"
differs "$T/man.acts" "$T/broken.acts" "a misnamed dead action is seen"

# --- routehook.conf.5 against lib/conf.c and etc/routehook.conf ---------------
mp schema lib/conf.c >"$T/schema"
mp page-keys "$CONF_5" lib/conf.c >"$T/page.keys"
same "keys" "$T/schema" "$T/page.keys" \
    "$CONF_5: every key of lib/conf.c's schema, with its type and range"
mp sample-defaults etc/routehook.conf >"$T/sample.defaults"
mp page-defaults "$CONF_5" >"$T/page.defaults"
same "defaults" "$T/sample.defaults" "$T/page.defaults" \
    "$CONF_5: the same \"#key = default;\" lines as etc/routehook.conf"

# Can fail: a range, a default, a key gone.
sed 's/^\.It Cm concurrency Pq integer, 1 to 256$/.It Cm concurrency Pq integer, 1 to 512/' \
    "$CONF_5" >"$T/broken.5"
mp page-keys "$T/broken.5" lib/conf.c >"$T/broken.keys"
differs "$T/page.keys" "$T/broken.keys" "a wrong range is seen"
sed 's/^#timeout_ms = 10000;$/#timeout_ms = 1000;/' "$CONF_5" >"$T/broken.5"
mp page-defaults "$T/broken.5" >"$T/broken.defaults"
differs "$T/page.defaults" "$T/broken.defaults" "a wrong default is seen"
sed '/^\.It Cm fsync Pq boolean$/s/fsync/fsink/' "$CONF_5" >"$T/broken.5"
mp page-keys "$T/broken.5" lib/conf.c >"$T/broken.keys"
differs "$T/page.keys" "$T/broken.keys" "a misnamed key is seen"

done_testing
