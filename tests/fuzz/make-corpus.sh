#!/usr/bin/env bash
# make-corpus.sh: regenerate the seed corpora of the fuzz targets from
# nothing (ffmpeg lavfi sources and hand-made EXIF), so the committed seeds
# are reproducible and none is a copy of real footage. Every file is tiny:
# libFuzzer mutates small inputs best, and the folders stay well under 1 MB.
#
#   tests/fuzz/make-corpus.sh BUILD_DIR    (BUILD_DIR holds tests/reel-exif-write)
#
# The fuzzers add what they find to these folders when run as in README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: make-corpus.sh BUILD_DIR}
exif_write="$build/tests/reel-exif-write"
probe="$here/corpus_probe"
exif="$here/corpus_exif"
mkdir -p "$probe" "$exif"
ff=(ffmpeg -nostdin -hide_banner -loglevel error -y)
bx=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact)
v=(-f lavfi -i testsrc=s=16x16:r=5:d=0.4)
a=(-f lavfi -i sine=f=440:r=8000:d=0.2)

"${ff[@]}" "${v[@]}" "${a[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 8k \
  -metadata title=T -metadata creation_time=2014-10-24T09:00:00Z -metadata location=+59.3293+018.0686/ \
  -shortest "${bx[@]}" "$probe/tiny.mp4"
"${ff[@]}" "${v[@]}" -c:v mpeg4 -metadata:s:v rotate=90 "${bx[@]}" "$probe/rotated.mov"
"${ff[@]}" "${v[@]}" "${a[@]}" -f lavfi -i "anullsrc=r=8000:cl=mono" -map 0 -map 1 -c:v ffv1 -c:a flac \
  -shortest "${bx[@]}" "$probe/tiny.mkv"
"${ff[@]}" "${v[@]}" -c:v libvpx -b:v 20k "${bx[@]}" "$probe/tiny.webm"
"${ff[@]}" "${a[@]}" -c:a libmp3lame -b:a 8k -metadata artist=A "${bx[@]}" "$probe/tiny.mp3"
"${ff[@]}" "${a[@]}" -c:a libopus -b:a 6k "${bx[@]}" "$probe/tiny.opus"
"${ff[@]}" "${a[@]}" -c:a pcm_s16le -t 0.05 "${bx[@]}" "$probe/tiny.wav"
"${ff[@]}" "${v[@]}" -frames:v 1 -c:v mjpeg "${bx[@]}" "$probe/plain.jpg"
"${ff[@]}" "${v[@]}" -frames:v 1 "${bx[@]}" "$probe/tiny.png"
"${ff[@]}" "${v[@]}" -frames:v 1 -c:v tiff "${bx[@]}" "$probe/tiny.tif"
"${ff[@]}" "${v[@]}" -frames:v 2 "${bx[@]}" "$probe/tiny.gif"
# chapters and a subtitle stream
printf ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=200\ntitle=One\n' > "$probe/chapters.txt"
printf '1\n00:00:00,000 --> 00:00:00,300\nhello\n' > "$probe/sub.srt"
"${ff[@]}" "${v[@]}" -i "$probe/chapters.txt" -i "$probe/sub.srt" -map 0 -map 2 -map_metadata 1 \
  -c:v libx264 -preset ultrafast -c:s mov_text "${bx[@]}" "$probe/chapters.mp4"
rm -f "$probe/chapters.txt" "$probe/sub.srt"
# EXIF: every field reel reads, in a JPEG (probe) and as a bare APP1 block (exif)
"$exif_write" "$probe/plain.jpg" "$probe/exif.jpg" make=Canon model=EOS orientation=6 \
  datetime=2019:10:18:12:00:00 datetime_original="2019:10:18 12:00:00" \
  offset_time_original=-03:00 gps_lat=-33.4489 gps_lon=-70.6693 description=D artist=A
python3 - "$probe/exif.jpg" "$exif/app1.bin" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
i = d.index(b'Exif\0\0')
n = int.from_bytes(d[i - 2:i], 'big') - 2
open(sys.argv[2], 'wb').write(d[i:i + n])
PY
cp "$probe/tiny.tif" "$exif/tiny.tif"
du -sh "$probe" "$exif" >&2
