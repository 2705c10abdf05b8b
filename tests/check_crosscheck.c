/*
 * check_crosscheck: reel's export against ffprobe and exiftool, file by file,
 * for the generated fixture archive and for the shared corpus of real media
 * (../shared/corpus from the project root; skipped when absent).
 *
 * Both roots are indexed in one run (unchecked fixture). For every file:
 *
 *   ffprobe -v error -print_format json -show_format -show_streams -show_chapters
 *   exiftool -j -n <EXIF-group tags>   (one run for all files)
 *
 * Rules (what "agree" means):
 *  - ffprobe accepts the file (exit 0, at least one stream) -> a record with:
 *    format_name (ffprobe's "image2" is chosen by file extension; reel names the
 *    content, so image2 + mjpeg means "jpeg_pipe", + tiff "tiff_pipe", + png
 *    "png_pipe"), duration +-0.05 s (not for still images), the streams in
 *    order (type; codec unless ffprobe says "unknown"; width/height; fps from
 *    avg_frame_rate +-0.01 for moving video; rotation from the "Display Matrix"
 *    side data, clockwise 0..359, absent = 0; sample_rate; channels; language
 *    unless "und"), chapters (start/end +-0.01, title), kind (photo for image2
 *    and *_pipe formats, video when a non-cover video stream exists, else audio),
 *    and location from the container tag "location" or
 *    "com.apple.quicktime.location.ISO6709".
 *  - ffprobe rejects it: it must be in `reel errors` and not a record, except
 *    HEIC/HEIF (exiftool FileType), which FFmpeg 5.1 cannot read but reel reads
 *    with libheif: a photo record, format "heif", codec "hevc", compared with
 *    exiftool only.
 *  - Ambiguous, either outcome accepted: ffprobe "accepts" a file whose only
 *    streams are images with no size (width or height 0: the libexif maker-note
 *    JPEGs hold EXIF but no image data; the DNG's compression is unknown to
 *    FFmpeg). reel may catalogue it (then its EXIF must agree) or record an error.
 *  - Photos (and HEIC, TIFF/DNG/CR2, whose EXIF is in the TIFF header) agree with
 *    exiftool's EXIF group (not XMP, which reel does not read): DateTimeOriginal
 *    (+ OffsetTimeOriginal) as recorded_at with source "exif", only when it is a
 *    real date (not "0000:00:00 00:00:00"); Make/Model (trimmed) as camera;
 *    Orientation 1..8 as orientation, and 3/6/8 as rotation 180/90/270. GPS is
 *    compared only when valid: both present, |lat| <= 90, |lon| <= 180 and not
 *    exactly 0,0 -- reel may reject impossible positions (buggy_panorama.jpg has
 *    latitude 213, image-2011.jpg 0,0, empty_gps.jpg empty strings).
 *  - Skipped: names that are not valid UTF-8 (reel reports those as walk errors,
 *    see check_e2e), hidden entries, FIFOs and other non-regular files, and the
 *    corpus's documentation (*.md).
 */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

#define CORPUS_DIR REEL_SOURCE_DIR "/../shared/corpus"

static char *g_tmp, *g_archive, *g_db, *g_corpus;
static json_t *g_manifest, *g_export, *g_errors;
static int g_index_status = -100;

static void setup(void)
{
	g_tmp = sup_tmpdir("reel-cross");
	if (!g_tmp)
		return;
	g_archive = sup_join(g_tmp, "archive");
	g_db = sup_join(g_tmp, "cat.db");
	g_manifest = sup_make_archive(g_tmp);
	if (!g_manifest)
		return;
	g_corpus = realpath(CORPUS_DIR, NULL);
	/* One run over both roots (the corpus is read-only: reel only reads it). */
	if (g_corpus)
		json_decref(sup_reel_json(&g_index_status, NULL, g_db, "index", "-j", "2", "--json",
					  "--no-thumbs", g_archive, g_corpus, SUP_END));
	else
		json_decref(sup_reel_json(&g_index_status, NULL, g_db, "index", "-j", "2", "--json",
					  "--no-thumbs", g_archive, SUP_END));
	int st;
	g_export = sup_reel_json(&st, NULL, g_db, "export", "--profile", "internal", SUP_END);
	g_errors = sup_reel_json(&st, NULL, g_db, "errors", "--json", SUP_END);
}

static void teardown(void)
{
	json_decref(g_manifest);
	json_decref(g_export);
	json_decref(g_errors);
	sup_rmtree(g_tmp);
	free(g_tmp);
	free(g_archive);
	free(g_db);
	free(g_corpus);
}

/* ---- collecting files ----------------------------------------------------- */

static json_t *g_walk; /* nftw has no payload argument */
static size_t g_walk_base;

static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
				  : (*p & 0xF8) == 0xF0 ? 3 : -1;
		if (n < 0 || (n == 1 && *p < 0xC2))
			return 0;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	const char *name = path + ftw->base;
	if (ftw->level > 0 && name[0] == '.')
		return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	if (type != FTW_F || !S_ISREG(sb->st_mode))
		return FTW_CONTINUE;
	size_t l = strlen(name);
	if (l > 3 && !strcmp(name + l - 3, ".md"))
		return FTW_CONTINUE;
	if (!utf8_valid(path))
		return FTW_CONTINUE;
	json_array_append_new(g_walk, json_string(path + g_walk_base + 1));
	return FTW_CONTINUE;
}

/* Sorted root-relative paths of the files to compare under `dir`. */
static json_t *list_files(const char *dir)
{
	g_walk = json_array();
	g_walk_base = strlen(dir);
	nftw(dir, collect, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	json_t *l = g_walk;
	g_walk = NULL;
	return l;
}

/* ---- running the reference tools ------------------------------------------ */

static json_t *ffprobe(const char *file)
{
	const char *argv[] = {"ffprobe", "-v", "error", "-print_format", "json", "-show_format",
			      "-show_streams", "-show_chapters", file, NULL};
	struct sup_result r;
	struct sup_opts o = {.quiet = 1, .timeout = 60};
	json_t *j = NULL;

	if (sup_run(&r, argv, &o) == 0)
		j = json_loadb(r.out, r.len, 0, NULL);
	sup_result_release(&r);
	if (j && json_array_size(json_object_get(j, "streams")) == 0) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* exiftool's EXIF-group values for every file, keyed by absolute path. */
static json_t *exiftool_all(const char *dir, const json_t *files)
{
	static const char *const tags[] = {
		"exiftool", "-j", "-n", "-q", "-q", "-charset", "filename=utf8",
		"-EXIF:DateTimeOriginal", "-EXIF:OffsetTimeOriginal", "-EXIF:Make", "-EXIF:Model",
		"-EXIF:Orientation", "-EXIF:GPSLatitude", "-EXIF:GPSLatitudeRef",
		"-EXIF:GPSLongitude", "-EXIF:GPSLongitudeRef", "-File:FileType", "-ExifTool:Error"};
	size_t nt = sizeof(tags) / sizeof(tags[0]), nf = json_array_size(files);
	const char **argv = calloc(nt + nf + 1, sizeof(*argv));
	char **paths = calloc(nf + 1, sizeof(*paths));
	json_t *by_path = json_object(), *arr = NULL;
	struct sup_result r;
	struct sup_opts o = {.quiet = 1, .timeout = 120};
	size_t i;
	const json_t *v;

	ck_assert_ptr_nonnull(argv);
	ck_assert_ptr_nonnull(paths);
	for (i = 0; i < nt; i++)
		argv[i] = tags[i];
	for (i = 0; i < nf; i++) {
		paths[i] = sup_join(dir, json_string_value(json_array_get(files, i)));
		argv[nt + i] = paths[i];
	}
	sup_run(&r, argv, &o); /* exits 1 when some file is not readable: fine */
	arr = json_loadb(r.out, r.len, 0, NULL);
	json_array_foreach(arr, i, v) {
		const char *src = json_string_value(json_object_get(v, "SourceFile"));
		if (src)
			json_object_set(by_path, src, (json_t *)v);
	}
	json_decref(arr);
	sup_result_release(&r);
	for (i = 0; i < nf; i++)
		free(paths[i]);
	free(paths);
	free(argv);
	return by_path;
}

/* ---- comparison helpers --------------------------------------------------- */

struct cmp {
	const char *file;
	struct sup_str *diff;
	int bad;
};

static void fail_at(struct cmp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_at(struct cmp *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sup_str_printf(c->diff, "  %s: %s\n", c->file, line);
	c->bad++;
}

static void want_str(struct cmp *c, const char *what, const json_t *got, const char *expect)
{
	const char *g = json_string_value(got);
	if (!g || strcmp(g, expect))
		fail_at(c, "%s: reel \"%s\", reference \"%s\"", what, g ? g : "(absent)", expect);
}

static void want_num(struct cmp *c, const char *what, const json_t *got, double expect, double tol)
{
	double g = sup_json_number(got);
	if (isnan(g) || fabs(g - expect) > tol + 1e-9) {
		char *t = sup_json_text(got);
		fail_at(c, "%s: reel %s, reference %.6g", what, t, expect);
		free(t);
	}
}

/* "30000/1001" -> 29.97; 0 when unknown. */
static double ratio(const char *s)
{
	long n = 0, d = 0;
	if (!s || sscanf(s, "%ld/%ld", &n, &d) != 2 || n <= 0 || d <= 0)
		return 0;
	return (double)n / (double)d;
}

static double str_num(const json_t *v)
{
	const char *s = json_string_value(v);
	if (s) {
		char *end;
		double d = strtod(s, &end);
		return end != s ? d : NAN;
	}
	return sup_json_number(v);
}

static int valid_position(double lat, double lon)
{
	return isfinite(lat) && isfinite(lon) && fabs(lat) <= 90 && fabs(lon) <= 180 &&
	       !(lat == 0 && lon == 0);
}

static void want_location(struct cmp *c, const json_t *item, double lat, double lon, const char *src)
{
	const json_t *loc = json_object_get(item, "location");
	if (!loc) {
		fail_at(c, "location: reel (absent), reference %.6f,%.6f", lat, lon);
		return;
	}
	want_num(c, "location.lat", json_object_get(loc, "lat"), lat, 1e-4);
	want_num(c, "location.lon", json_object_get(loc, "lon"), lon, 1e-4);
	want_str(c, "location_source", json_object_get(item, "location_source"), src);
}

static char *trimmed(const char *s)
{
	while (*s == ' ')
		s++;
	char *t = strdup(s);
	size_t l = strlen(t);
	while (l && t[l - 1] == ' ')
		t[--l] = '\0';
	return t;
}

/* exiftool (EXIF group) vs the record. */
static void compare_exif(struct cmp *c, const json_t *item, const json_t *ex)
{
	if (!ex)
		return;
	const char *dto = json_string_value(json_object_get(ex, "DateTimeOriginal"));
	int y, mo, d, h, mi, s;
	if (dto && sscanf(dto, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) == 6 &&
	    y >= 1800 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60) {
		char want[64];
		const char *off = json_string_value(json_object_get(ex, "OffsetTimeOriginal"));
		int oh, om;
		char sign;
		int has_off = off && strlen(off) == 6 && sscanf(off, "%c%2d:%2d", &sign, &oh, &om) == 3 &&
			      (sign == '+' || sign == '-');
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, s,
			 has_off ? off : "");
		want_str(c, "recorded_at", json_object_get(item, "recorded_at"), want);
		want_str(c, "recorded_at_source", json_object_get(item, "recorded_at_source"), "exif");
	}
	const char *keys[2][2] = {{"Make", "make"}, {"Model", "model"}};
	for (int k = 0; k < 2; k++) {
		const char *v = json_string_value(json_object_get(ex, keys[k][0]));
		if (!v)
			continue;
		char *t = trimmed(v);
		if (*t) {
			char what[32];
			snprintf(what, sizeof(what), "camera.%s", keys[k][1]);
			want_str(c, what, json_object_get(json_object_get(item, "camera"), keys[k][1]), t);
		}
		free(t);
	}
	const json_t *o = json_object_get(ex, "Orientation");
	if (json_is_integer(o) && json_integer_value(o) >= 1 && json_integer_value(o) <= 8) {
		json_int_t ov = json_integer_value(o);
		want_num(c, "orientation", json_object_get(item, "orientation"), (double)ov, 0);
		int rot = ov == 3 ? 180 : ov == 6 ? 90 : ov == 8 ? 270 : ov == 1 ? 0 : -1;
		const json_t *r = json_object_get(item, "rotation");
		if (rot > 0)
			want_num(c, "rotation", r, rot, 0);
		else if (rot == 0 && r && sup_json_number(r) != 0)
			want_num(c, "rotation", r, 0, 0);
	}
	double lat = str_num(json_object_get(ex, "GPSLatitude"));
	double lon = str_num(json_object_get(ex, "GPSLongitude"));
	const char *lr = json_string_value(json_object_get(ex, "GPSLatitudeRef"));
	const char *nr = json_string_value(json_object_get(ex, "GPSLongitudeRef"));
	if (lr && *lr == 'S')
		lat = -lat;
	if (nr && *nr == 'W')
		lon = -lon;
	if (valid_position(lat, lon))
		want_location(c, item, lat, lon, "exif");
}

static int is_photo_format(const char *fmt)
{
	size_t l = fmt ? strlen(fmt) : 0;
	return fmt && (!strcmp(fmt, "image2") || (l > 5 && !strcmp(fmt + l - 5, "_pipe")));
}

static const char *pipe_name(const char *codec)
{
	if (!codec)
		return NULL;
	if (!strcmp(codec, "mjpeg"))
		return "jpeg_pipe";
	if (!strcmp(codec, "tiff"))
		return "tiff_pipe";
	if (!strcmp(codec, "png"))
		return "png_pipe";
	return NULL;
}

static int clockwise(const json_t *stream)
{
	size_t i;
	const json_t *sd;
	json_array_foreach(json_object_get(stream, "side_data_list"), i, sd) {
		const char *t = json_string_value(json_object_get(sd, "side_data_type"));
		if (t && !strcmp(t, "Display Matrix")) {
			long r = lround(sup_json_number(json_object_get(sd, "rotation")));
			return (int)(((-r) % 360 + 360) % 360);
		}
	}
	return 0;
}

/* ffprobe vs the record. */
static void compare_ffprobe(struct cmp *c, const json_t *item, const json_t *ff, int photo)
{
	const json_t *fmt = json_object_get(ff, "format");
	const char *fname = json_string_value(json_object_get(fmt, "format_name"));
	const json_t *fs = json_object_get(ff, "streams");
	const json_t *rs = json_object_get(item, "streams");
	const char *first_codec = json_string_value(json_object_get(json_array_get(fs, 0), "codec_name"));
	size_t i;
	const json_t *s;

	if (fname && !strcmp(fname, "image2")) {
		const char *p = pipe_name(first_codec);
		if (p)
			want_str(c, "format", json_object_get(item, "format"), p);
	} else if (fname) {
		want_str(c, "format", json_object_get(item, "format"), fname);
	}

	int has_video = 0;
	json_array_foreach(fs, i, s) {
		const char *t = json_string_value(json_object_get(s, "codec_type"));
		if (t && !strcmp(t, "video") &&
		    !json_integer_value(json_object_get(json_object_get(s, "disposition"), "attached_pic")))
			has_video = 1;
	}
	want_str(c, "kind", json_object_get(item, "kind"), photo ? "photo" : has_video ? "video" : "audio");

	if (!photo && json_object_get(fmt, "duration"))
		want_num(c, "duration", json_object_get(item, "duration"),
			 str_num(json_object_get(fmt, "duration")), 0.05);

	if (json_array_size(rs) != json_array_size(fs)) {
		fail_at(c, "streams: reel has %zu, ffprobe %zu", json_array_size(rs), json_array_size(fs));
		return;
	}
	json_array_foreach(fs, i, s) {
		const json_t *r = json_array_get(rs, i);
		char w[64];
		const char *type = json_string_value(json_object_get(s, "codec_type"));
		const char *codec = json_string_value(json_object_get(s, "codec_name"));
		int cover = (int)json_integer_value(
			json_object_get(json_object_get(s, "disposition"), "attached_pic"));

#define AT(field) (snprintf(w, sizeof(w), "streams[%zu].%s", i, field), w)
		if (type)
			want_str(c, AT("type"), json_object_get(r, "type"), type);
		if (codec && strcmp(codec, "unknown"))
			want_str(c, AT("codec"), json_object_get(r, "codec"), codec);
		if (type && !strcmp(type, "video")) {
			json_int_t wd = json_integer_value(json_object_get(s, "width"));
			json_int_t ht = json_integer_value(json_object_get(s, "height"));
			if (wd > 0 && ht > 0) {
				want_num(c, AT("width"), json_object_get(r, "width"), (double)wd, 0);
				want_num(c, AT("height"), json_object_get(r, "height"), (double)ht, 0);
			}
			double fps = ratio(json_string_value(json_object_get(s, "avg_frame_rate")));
			if (!photo && !cover && fps > 0)
				want_num(c, AT("fps"), json_object_get(r, "fps"), fps, 0.01);
			int rot = clockwise(s);
			const json_t *rr = json_object_get(r, "rotation");
			if (rot || (rr && sup_json_number(rr) != 0))
				want_num(c, AT("rotation"), rr, rot, 0);
		}
		if (type && !strcmp(type, "audio")) {
			double sr = str_num(json_object_get(s, "sample_rate"));
			if (sr > 0)
				want_num(c, AT("sample_rate"), json_object_get(r, "sample_rate"), sr, 0);
			json_int_t ch = json_integer_value(json_object_get(s, "channels"));
			if (ch > 0)
				want_num(c, AT("channels"), json_object_get(r, "channels"), (double)ch, 0);
		}
		const char *lang = json_string_value(json_object_get(json_object_get(s, "tags"), "language"));
		if (lang && strcmp(lang, "und"))
			want_str(c, AT("language"), json_object_get(r, "language"), lang);
#undef AT
	}

	const json_t *fc = json_object_get(ff, "chapters");
	const json_t *rc = json_object_get(item, "chapters");
	if (json_array_size(fc) != json_array_size(rc)) {
		fail_at(c, "chapters: reel has %zu, ffprobe %zu", json_array_size(rc), json_array_size(fc));
	} else {
		json_array_foreach(fc, i, s) {
			const json_t *r = json_array_get(rc, i);
			char w[64];
			snprintf(w, sizeof(w), "chapters[%zu].start", i);
			want_num(c, w, json_object_get(r, "start"), str_num(json_object_get(s, "start_time")), 0.01);
			snprintf(w, sizeof(w), "chapters[%zu].end", i);
			want_num(c, w, json_object_get(r, "end"), str_num(json_object_get(s, "end_time")), 0.01);
			const char *t = json_string_value(json_object_get(json_object_get(s, "tags"), "title"));
			snprintf(w, sizeof(w), "chapters[%zu].title", i);
			if (t)
				want_str(c, w, json_object_get(r, "title"), t);
		}
	}

	const json_t *tags = json_object_get(fmt, "tags");
	const char *iso = json_string_value(json_object_get(tags, "com.apple.quicktime.location.ISO6709"));
	if (!iso)
		iso = json_string_value(json_object_get(tags, "location"));
	if (iso) {
		char *end = NULL;
		double lat = strtod(iso, &end);
		double lon = end && (*end == '+' || *end == '-') ? strtod(end, NULL) : NAN;
		if (valid_position(lat, lon))
			want_location(c, item, lat, lon, "container");
	}
}

/* Images whose every stream is a video stream without a size. */
static int no_usable_stream(const json_t *ff)
{
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(ff, "streams"), i, s) {
		const char *t = json_string_value(json_object_get(s, "codec_type"));
		if (!t || strcmp(t, "video"))
			return 0;
		if (json_integer_value(json_object_get(s, "width")) > 0 &&
		    json_integer_value(json_object_get(s, "height")) > 0)
			return 0;
	}
	return 1;
}

static int is_heif(const json_t *ex)
{
	const char *t = json_string_value(json_object_get(ex, "FileType"));
	return t && (!strcmp(t, "HEIC") || !strcmp(t, "HEIF")) && !json_object_get(ex, "Error");
}

/* Compares one file; returns 1 if it was compared against a record. */
static int crosscheck_file(const char *root, const char *dir, const char *rel, const json_t *exifs,
			   struct sup_str *diff, struct sup_str *notes)
{
	char *abs = sup_join(dir, rel);
	json_t *ff = ffprobe(abs);
	const json_t *ex = json_object_get(exifs, abs);
	const json_t *item = sup_find_item(g_export, root, rel);
	const json_t *err = sup_find_error(g_errors, root, rel);
	char name[1024];
	struct cmp c = {name, diff, 0};
	int compared = 0;

	snprintf(name, sizeof(name), "%s/%s", root, rel);
	if (!ff && is_heif(ex)) {
		if (!item) {
			fail_at(&c, "HEIF image (exiftool reads it) is not a record%s",
				err ? " but an error" : "");
		} else {
			want_str(&c, "kind", json_object_get(item, "kind"), "photo");
			want_str(&c, "format", json_object_get(item, "format"), "heif");
			want_str(&c, "streams[0].codec",
				 json_object_get(json_array_get(json_object_get(item, "streams"), 0), "codec"),
				 "hevc");
			compare_exif(&c, item, ex);
			compared = 1;
		}
	} else if (!ff) {
		if (!err)
			fail_at(&c, "ffprobe rejects it but it is not in `reel errors`");
		if (item)
			fail_at(&c, "ffprobe rejects it but reel catalogued it as %s",
				json_string_value(json_object_get(item, "kind")));
	} else if (no_usable_stream(ff)) {
		if (item) {
			compare_exif(&c, item, ex);
			compared = 1;
			sup_str_printf(notes, "  %s: no usable stream for ffprobe; reel catalogued it\n", name);
		} else if (err) {
			sup_str_printf(notes, "  %s: no usable stream for ffprobe; reel: %s\n", name,
				       json_string_value(json_object_get(err, "message")));
		} else {
			fail_at(&c, "neither a record nor an error");
		}
	} else if (!item) {
		fail_at(&c, "ffprobe reads it but it is not a record%s%s", err ? "; reel error: " : "",
			err ? json_string_value(json_object_get(err, "message")) : "");
	} else {
		const char *fname = json_string_value(json_object_get(json_object_get(ff, "format"), "format_name"));
		int photo = is_photo_format(fname);
		compare_ffprobe(&c, item, ff, photo);
		if (photo)
			compare_exif(&c, item, ex);
		if (err)
			fail_at(&c, "is both a record and in `reel errors`");
		compared = 1;
	}
	json_decref(ff);
	free(abs);
	return compared;
}

static void crosscheck_root(const char *root, const char *dir)
{
	struct sup_str diff = {0}, notes = {0};
	json_t *files = list_files(dir);
	json_t *exifs = exiftool_all(dir, files);
	size_t i, n = json_array_size(files);
	int compared = 0;

	ck_assert_msg(g_export != NULL, "`reel export` printed no JSON");
	ck_assert_msg(g_errors != NULL, "`reel errors --json` printed no JSON");
	ck_assert_msg(n > 0, "no files under %s", dir);
	ck_assert_msg(json_object_size(exifs) > 0, "exiftool printed nothing (is it installed?)");
	for (i = 0; i < n; i++)
		compared += crosscheck_file(root, dir, json_string_value(json_array_get(files, i)), exifs,
					    &diff, &notes);
	printf("crosscheck %s: %zu files, %d compared with records\n", root, n, compared);
	if (notes.len)
		printf("ambiguous files (either outcome accepted):\n%s", sup_str_cstr(&notes));
	fflush(stdout); /* a failing check ends this (forked) process without flushing */
	if (diff.len)
		fprintf(stderr, "crosscheck %s mismatches:\n%s", root, sup_str_cstr(&diff));
	ck_assert_msg(diff.len == 0, "reel disagrees with ffprobe/exiftool under %s:\n%s", root,
		      sup_str_cstr(&diff));
	ck_assert_int_gt(compared, 0);
	sup_str_release(&diff);
	sup_str_release(&notes);
	json_decref(files);
	json_decref(exifs);
}

START_TEST(test_crosscheck_ffprobe__generated_archive)
{
	ck_assert_msg(g_manifest != NULL, "fixture archive could not be generated");
	ck_assert_int_le(g_index_status, 1);
	ck_assert_int_ge(g_index_status, 0);
	crosscheck_root(json_string_value(json_object_get(g_manifest, "root")), g_archive);
}
END_TEST

START_TEST(test_crosscheck_ffprobe__shared_corpus)
{
	if (!g_corpus) {
		printf("corpus not found, skipping\n");
		return;
	}
	char *base = strrchr(g_corpus, '/');
	crosscheck_root(base ? base + 1 : g_corpus, g_corpus);
}
END_TEST

static Suite *crosscheck_suite(void)
{
	Suite *s = suite_create("crosscheck");
	TCase *tc = tcase_create("reference");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_crosscheck_ffprobe__generated_archive);
	tcase_add_test(tc, test_crosscheck_ffprobe__shared_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(crosscheck_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
