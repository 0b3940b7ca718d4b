// libFuzzer: the whole decoder chain plus the JSON rendering of whatever it finds.
#include "codec/decodejson.h"
#include "codec/decoderchain.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cachescope;
    DecodeLimits limits;
    limits.maxDecompressedBytes = 16 << 20; // keep each run small; the logic is the same
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const DecodeResult r = DecoderChain(limits).decode(input);
    DecodeJson::result(r, 5);
    // Also from the FileSystemCache side, which reads a header first.
    DecodeHints hints;
    hints.backend = DecodeHints::Backend::FileSystem;
    DecodeJson::result(DecoderChain(limits).decode(input, hints), 5);
    return 0;
}
