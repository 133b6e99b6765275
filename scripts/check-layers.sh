#!/usr/bin/env bash
# Enforces Ordo's layering (STYLE.md "Layout", DESIGN.md) by reading the #include lines of src/
# and bench/ (tests/ may include any library). Dependencies point down: lib < core < store < app
# < http < cli; docs (documents: PDFs, bar codes) sits beside store on lib and core only, and only
# http uses it. gateway (outbound integrations: the Stripe payment provider over libcurl and
# jansson) implements app's interfaces on lib, core and app headers; only cli includes it, to
# wire it in. Prints file:line: rule for each violation and exits 1 if there is any.
# Usage: check-layers.sh [FILE...]  (paths relative to the repo root)
set -euo pipefail

cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.[ch]' 'bench/*.[ch]' \
        | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done)
fi
if [ ${#files[@]} -eq 0 ]; then
    echo "check-layers: no files"
    exit 0
fi

perl -e '
    # core is pure: of the system headers it may use only these (no I/O, clock, random or threads).
    my %core_libc = map { $_ => 1 } qw(assert.h ctype.h errno.h float.h inttypes.h iso646.h
        limits.h math.h stdalign.h stdarg.h stdbool.h stddef.h stdint.h stdlib.h stdnoreturn.h
        string.h strings.h);
    my $bad = 0;
    sub violation {
        my ($file, $line, $text, $why) = @_;
        print "$file:$line: $why: $text\n";
        $bad = 1;
    }
    for my $file (@ARGV) {
        open(my $fh, "<", $file) or die "check-layers: cannot read $file: $!\n";
        my ($layer) = $file =~ m{^src/([^/]+)/};
        $layer //= "";
        (my $dir = $file) =~ s{^src/}{};
        $dir =~ s{/[^/]*$}{};
        my $in_comment = 0;
        while (my $text = <$fh>) {
            chomp $text;
            if ($in_comment) {
                $in_comment = 0 if $text =~ m{\*/};
                next;
            }
            $in_comment = 1 if $text =~ m{^\s*/\*} && $text !~ m{\*/};
            next unless $text =~ m{^\s*#\s*include\s*([<"])([^>"]+)[>"]};
            my ($kind, $name) = ($1, $2);
            my $line = $.;
            if ($kind eq "\"") {
                # Project headers are named from src/ ("lib/base.h"); a bare name is a sibling.
                $name =~ s{^(\./|\.\./)+}{};
                $name = "$dir/$name" if $name !~ m{/} && $dir ne "";
                my ($target) = $name =~ m{^([^/]+)/};
                $target //= "";
                if ($layer eq "core") {
                    violation($file, $line, $text, "core includes only lib/ and core/ headers")
                        if $target ne "lib" && $target ne "core";
                    violation($file, $line, $text, "core never reads the clock (lib/clock.h)")
                        if $name eq "lib/clock.h";
                }
                if ($layer eq "docs") {
                    violation($file, $line, $text, "docs includes only lib/, core/ and docs/ headers")
                        if $target ne "lib" && $target ne "core" && $target ne "docs";
                }
                if ($layer eq "gateway" && $target !~ /^(lib|core|app|gateway)$/) {
                    violation($file, $line, $text,
                        "gateway includes only lib/, core/, app/ and gateway/ headers");
                }
                if ($layer =~ /^(lib|core|docs|store|app|http)$/ && $target eq "gateway") {
                    violation($file, $line, $text, "$layer includes no gateway/ header (cli wires it)");
                }
                if ($layer =~ /^(store|app)$/ && $target eq "docs") {
                    violation($file, $line, $text, "$layer includes no docs/ header");
                }
                if ($layer eq "lib" && $target =~ /^(core|docs|store|app|http|cli)$/) {
                    violation($file, $line, $text, "lib includes no $target/ header");
                }
                if ($layer eq "store" && $target =~ /^(app|http|cli)$/) {
                    violation($file, $line, $text, "store includes no $target/ header");
                }
                if ($layer eq "app" && $target =~ /^(http|cli)$/) {
                    violation($file, $line, $text, "app includes no $target/ header");
                }
                if ($layer eq "http" && $target eq "cli") {
                    violation($file, $line, $text, "http includes no cli/ header");
                }
                next;
            }
            if ($layer eq "core" && !$core_libc{$name}) {
                violation($file, $line, $text,
                    "core is pure: <$name> is not an allowed libc header (no I/O, clock, random)");
            }
            if ($name eq "sqlite3.h" && $file !~ m{^src/store/(store_sqlite|sqlite_[^/]*)\.[ch]$}) {
                violation($file, $line, $text,
                    "only src/store/store_sqlite.c and src/store/sqlite_*.c include <sqlite3.h>");
            }
            if ($name eq "libpq-fe.h" && $file !~ m{^src/store/(store_pg|pg_[^/]*)\.[ch]$}) {
                violation($file, $line, $text, "only src/store/store_pg.c and src/store/pg_*.[ch] include <libpq-fe.h>");
            }
            if (($name eq "hpdf.h" || $name eq "zint.h") && $file !~ m{^src/docs/}) {
                violation($file, $line, $text, "only src/docs/ includes <$name>");
            }
            if ($name eq "microhttpd.h" && $file !~ m{^src/http/}) {
                violation($file, $line, $text, "only src/http/ includes <microhttpd.h>");
            }
            if ($name eq "jansson.h" && $file !~ m{^(src/http|src/gateway|tests)/}) {
                violation($file, $line, $text,
                    "only src/http/, src/gateway/ and tests/ include <jansson.h>");
            }
            if ($name eq "curl/curl.h" && $file !~ m{^(src/gateway|tests)/}) {
                violation($file, $line, $text, "only src/gateway/ and tests/ include <curl/curl.h>");
            }
        }
        close($fh);
    }
    exit $bad;
' "${files[@]}"
