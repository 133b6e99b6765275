#!/usr/bin/env bash
# Rejects calls to the banned C functions (STYLE.md "Strings and buffers") in src/, tests/ and
# bench/: strcpy strcat sprintf vsprintf gets strtok atoi atol atof strncpy alloca. Comments and
# string literals are blanked first, so prose may name them; a match is a whole word followed by
# "(". Prints file:line: text for each call and exits 1 if there is any. Usage: check-banned.sh [FILE...]
set -euo pipefail

cd "$(dirname "$0")/.."

if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.[ch]' 'tests/*.[ch]' \
        'bench/*.[ch]' | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done)
fi
if [ ${#files[@]} -eq 0 ]; then
    echo "check-banned: no files"
    exit 0
fi

# perl is part of every Debian install (perl-base). The blanking keeps newlines, so line numbers hold.
perl -e '
    my $banned = qr/(?<![A-Za-z0-9_.])(?<!->)(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atof|strncpy|alloca)\s*\(/;
    my $bad = 0;
    for my $file (@ARGV) {
        open(my $fh, "<", $file) or die "check-banned: cannot read $file: $!\n";
        local $/;
        my $src = <$fh>;
        close($fh);
        my $orig = $src;
        # Blank comments, string and character literals, keeping their newlines.
        $src =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\x27(?:\\.|[^\x27\\\n])*\x27)}
                 {my $m = $1; $m =~ s/[^\n]/ /g; $m}gse;
        my @lines = split /\n/, $src, -1;
        my @orig_lines = split /\n/, $orig, -1;
        for my $i (0 .. $#lines) {
            if ($lines[$i] =~ $banned) {
                my $name = $1;
                my $text = $orig_lines[$i];
                $text =~ s/^\s+//;
                print "$file:", $i + 1, ": banned function $name(): $text\n";
                $bad = 1;
            }
        }
    }
    exit $bad;
' "${files[@]}"
