// libFuzzer: msgpack decoding with limits, then rendering and re-encoding the value.
#include "codec/decodejson.h"
#include "codec/msgpackdecoder.h"
#include "codec/msgpackencoder.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cachescope;
    auto r = MsgpackDecoder().decode(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (r.hasValue()) {
        DecodeJson::value(r->value, 5);
        auto again = MsgpackEncoder::encode(r->value);
        if (again.hasValue()) {
            auto back = MsgpackDecoder().decode(*again);
            if (!back.hasValue() || !(back->value == r->value))
                __builtin_trap(); // our own encoding must read back to the same value
        }
    }
    return 0;
}
