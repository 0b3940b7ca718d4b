// libFuzzer: RESP replies as a server sends them (outside input) through RespReader. Bytes fed
// in two pieces must give the same replies as fed at once; nothing may crash or grow without
// input behind it.
#include "redis/respreader.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

using cachescope::RedisReply;
using cachescope::RespReader;

bool same(const RedisReply &a, const RedisReply &b)
{
    if (a.type != b.type || a.integer != b.integer || a.string != b.string || a.elements.size() != b.elements.size())
        return false;
    for (size_t i = 0; i < a.elements.size(); ++i)
        if (!same(a.elements[i], b.elements[i]))
            return false;
    return true;
}

// Every reply the bytes hold; false once the reader reports a protocol error.
bool drain(RespReader &reader, std::vector<RedisReply> &out)
{
    for (;;) {
        auto r = reader.next();
        if (!r)
            return false;
        if (!r->has_value())
            return true;
        out.push_back(std::move(**r));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const auto *bytes = reinterpret_cast<const char *>(data);
    // The first byte chooses where the stream is cut in two.
    const size_t cut = 1 + data[0] % size;
    const QByteArrayView all(bytes + 1, qsizetype(size - 1));

    RespReader whole;
    std::vector<RedisReply> a;
    const bool okWhole = whole.feed(all).hasValue() && drain(whole, a);

    RespReader pieces;
    std::vector<RedisReply> b;
    bool okPieces = pieces.feed(all.first(qsizetype(cut - 1))).hasValue() && drain(pieces, b);
    okPieces = okPieces && pieces.feed(all.sliced(qsizetype(cut - 1))).hasValue() && drain(pieces, b);

    if (okWhole != okPieces && okWhole)
        __builtin_trap(); // a cut in the stream must not turn good bytes bad
    if (okWhole && okPieces) {
        if (a.size() != b.size())
            __builtin_trap();
        for (size_t i = 0; i < a.size(); ++i)
            if (!same(a[i], b[i]))
                __builtin_trap();
    }
    return 0;
}
