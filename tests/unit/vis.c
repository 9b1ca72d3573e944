/*
 * vis unit test: vis_mem() and vis_str() as a table of bytes in and text
 * out, cuts that never split an escape; utf8_repair() on RFC 3629's edge
 * cases (overlong forms, surrogates, above U+10FFFF, truncated sequences)
 * and cuts between characters; utf8_cut().  Fails with "not ok" lines and
 * exit 1.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "vis.h"

struct vcase {
	const char	*in;
	size_t		 len;
	const char	*out;
};

#define S(x)	x, sizeof(x) - 1

static const struct vcase vis_cases[] = {
	{ S("plain id-1.M2P3Q4.host"), "plain id-1.M2P3Q4.host" },
	{ S("a\nb"), "a\\nb" },
	{ S("tab\there\r"), "tab\\there\\r" },
	{ S("back\\slash"), "back\\\\slash" },
	{ S("\033[2J"), "\\033[2J" },
	{ S("nul\0byte"), "nul\\000byte" },
	{ S("del\177"), "del\\177" },
	{ S("\xc2\x9b" "31m"), "\\302\\23331m" },	/* U+009B, a C1 CSI */
	{ S("caf\xc3\xa9"), "caf\\303\\251" },
	{ S("\xff"), "\\377" },
	{ S(""), "" },
};

static const struct vcase utf8_cases[] = {
	{ S("ascii"), "ascii" },
	{ S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
	{ S("a\xff" "b"), "a\xef\xbf\xbd" "b" },
	{ S("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd" },		/* overlong '/' */
	{ S("\xe0\x80\xaf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ S("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* D800 */
	{ S("\xf4\x90\x80\x80"),
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },	/* >10FFFF */
	{ S("end\xc3"), "end\xef\xbf\xbd" },			/* truncated */
	{ S("end\xe2\x82"), "end\xef\xbf\xbd\xef\xbf\xbd" },
	{ S("nul\0x"), "nul\xef\xbf\xbdx" },
};

int
main(void)
{
	char buf[256], small[8];
	size_t i, n;

	for (i = 0; i < sizeof(vis_cases) / sizeof(vis_cases[0]); i++) {
		n = vis_mem(buf, sizeof(buf), vis_cases[i].in,
		    vis_cases[i].len);
		is_str(buf, vis_cases[i].out, "vis_mem case %zu", i);
		is_int(n, strlen(vis_cases[i].out), "vis_mem case %zu: length",
		    i);
	}
	is_str(vis_str(buf, sizeof(buf), NULL), "(null)", "vis_str(NULL)");
	/* "abcd" and the 4 bytes of "\033" do not fit in 7 and a NUL. */
	vis_mem(small, sizeof(small), "abcd\033", 5);
	is_str(small, "abcd", "a cut never leaves half an escape");
	vis_mem(small, 1, "abc", 3);
	is_str(small, "", "room for the NUL only");
	is_int(vis_mem(small, 0, "abc", 3), 0, "no room at all");

	for (i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		n = utf8_repair(buf, sizeof(buf), utf8_cases[i].in,
		    utf8_cases[i].len);
		is_str(buf, utf8_cases[i].out, "utf8_repair case %zu", i);
		is_int(n, strlen(utf8_cases[i].out),
		    "utf8_repair case %zu: length", i);
	}
	/* 8 bytes with the NUL: "ab" + two 2-byte characters + 1 left over. */
	n = utf8_repair(small, sizeof(small), "ab\xc3\xa9\xc3\xa9\xc3\xa9", 8);
	is_str(small, "ab\xc3\xa9\xc3\xa9", "utf8_repair cuts between characters");
	is_int(n, 6, "utf8_repair: the length of what fits");
	n = utf8_repair(small, sizeof(small), "abcdef\xff", 7);
	is_str(small, "abcdef", "utf8_repair: a U+FFFD that does not fit is left out");

	is_int(utf8_cut("abc", 3), 3, "utf8_cut: ASCII");
	is_int(utf8_cut("ab\xc3\xa9", 4), 4, "utf8_cut: a whole character");
	is_int(utf8_cut("ab\xc3\xa9", 3), 2, "utf8_cut: half of a 2-byte one");
	is_int(utf8_cut("a\xf0\x9f\x98\x80", 4), 1, "utf8_cut: 3 of 4 bytes");
	is_int(utf8_cut("a\xf0\x9f\x98\x80", 5), 5, "utf8_cut: all 4 bytes");
	is_int(utf8_cut("\x80\x80", 2), 2, "utf8_cut: no lead byte: as it is");
	is_int(utf8_cut("", 0), 0, "utf8_cut: empty");
	return tap_done();
}
