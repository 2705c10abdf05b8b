/* compat.h - every FFmpeg version difference reel cares about, in one place.
 * Debian 12 ships FFmpeg 5.1 (libavformat 59); 6.1 (libavformat 60.16)
 * moved stream side data into codecpar->coded_side_data. */
#ifndef REEL_COMPAT_H
#define REEL_COMPAT_H

#include <libavformat/avformat.h>

static inline const int32_t *compat_display_matrix(const AVStream *st)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 16, 100)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    return sd && sd->size >= 9 * sizeof(int32_t) ? (const int32_t *)sd->data : NULL;
#else
    size_t size = 0;
    const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return sd && size >= 9 * sizeof(int32_t) ? (const int32_t *)sd : NULL;
#endif
}

#endif
