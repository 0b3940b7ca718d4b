#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArray>
#include <QByteArrayView>

namespace cachescope {

struct MsgpackLimits
{
    qint64 maxContainerItems = 50'000'000; // per array/map (also capped by the input size)
    qint64 maxBytes = 512ll << 20;         // per str/bin/ext
    int maxDepth = 512;
};

// Decodes one msgpack value (what Superset's msgpack.dumps(..., use_bin_type=True) wrote) into a
// PyValue: str -> str, bin -> bytes, float -> float, ints (uint64 too), nil/bool, array -> list,
// map -> dict, ext -> object "msgpack.ExtType(code, data)". msgpack-cxx's unpack_limit is always
// set — without it a 5-byte array32 header makes it reserve 2^32 elements.
class MsgpackDecoder
{
public:
    explicit MsgpackDecoder(MsgpackLimits limits = {}) : m_limits(limits) {}

    struct Result
    {
        PyValue value;
        qint64 consumed = 0; // bytes of the first value; trailing bytes are the caller's business
    };
    Expected<Result> decode(QByteArrayView data) const;
    // Same, taking the buffer: the largest bin of at least 1 MiB among a top-level map's values
    // (a SQL Lab "data" Arrow stream of tens of MB) becomes the buffer itself, trimmed, instead
    // of a copy, when the value spans the whole buffer.
    Expected<Result> decode(QByteArray &&data) const;
    // Same, leaving `buffer` empty when its bin was adopted (only when the value spans the whole
    // buffer) and untouched otherwise.
    Expected<Result> decodeTaking(QByteArray &buffer) const;

    // Heuristic for the chain: a fixmap/map16/map32 or array header whose first element parses.
    static bool looksLikeMsgpack(QByteArrayView data);

    // A walk over the first value's structure that allocates nothing: every declared length
    // (container entries, str/bin/ext bytes) must fit in the bytes that follow it. decode() runs
    // it first, so a hostile length anywhere fails with its offset and the bytes present.
    struct Scan
    {
        bool ok = false;
        qint64 end = 0;           // ok: where the first value ends
        qint64 errorOffset = -1;  // !ok: the header that does not fit (or the bad byte)
        QString error;            // !ok: "msgpack: map at offset 12 declares 2147483648 entries, 3 bytes follow"
        // How far it got: complete elements (keys and values count) of the top-level container
        // before the failure, and whether that container is a map whose first key is a str.
        qint64 topLevelElements = 0;
        bool strKeyedMap = false;
    };
    static Scan scan(QByteArrayView data, const MsgpackLimits &limits = {});

private:
    Expected<Result> decodeImpl(QByteArrayView data, QByteArray *owner) const;
    MsgpackLimits m_limits;
};

} // namespace cachescope
