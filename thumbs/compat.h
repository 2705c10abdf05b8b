/* Every FFmpeg-version difference the thumbs module meets, in one place. Built against Debian
 * 12's FFmpeg 5.1; the other branch keeps the module building on 6.1 and later, where stream
 * side data moved into AVCodecParameters.coded_side_data. */
#ifndef REEL_THUMBS_COMPAT_H
#define REEL_THUMBS_COMPAT_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavformat/version.h>

/* The stream's 3x3 display matrix (9 int32, 36 bytes), or NULL when it has none or a short one. */
static inline const int32_t *thumb_compat_display_matrix(const AVStream *st)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    return sd && sd->size >= 36 ? (const int32_t *)sd->data : NULL;
#else
    size_t size = 0;
    const uint8_t *data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return data && size >= 36 ? (const int32_t *)data : NULL;
#endif
}

#endif
