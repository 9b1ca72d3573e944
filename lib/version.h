/*
 * version.h - routehook's one version number.
 *
 * Every program prints it for -V/--version, the HTTP client sends it in
 * its User-Agent, and the Debian package takes its version from here.
 * Change it here and nowhere else (NEWS says what each version brought).
 */
#ifndef ROUTEHOOK_VERSION_H
#define ROUTEHOOK_VERSION_H

#define ROUTEHOOK_VERSION	"0.2.0"

#endif
