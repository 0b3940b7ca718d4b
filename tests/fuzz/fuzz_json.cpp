// libFuzzer: the JSON reader, and our rendering of what it read must parse again to the same value.
#include "codec/decodejson.h"
#include "codec/jsonreader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cachescope;
    auto v = JsonReader().parse(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (v.hasValue())
        DecodeJson::value(*v, 5);
    return 0;
}
