#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArray>

namespace cachescope {

// Writes pickles byte-identical to CPython 3.11's pickle.dumps(v, protocol) for the basic types
// (None, bool, int, float, str, bytes, bytearray, list, tuple, dict, set, frozenset), protocol
// 5 by default, including FRAME placement and memoization as CPython does them. Object nodes
// are written back as GLOBAL + REDUCE/NEWOBJ/BUILD of their recorded parts.
class PickleWriter
{
public:
    explicit PickleWriter(int protocol = 5) : m_protocol(protocol) {}
    Expected<QByteArray> dumps(const PyValue &value) const;
    // The same bytes after `prefix` in one buffer (RedisCache stores "!" + pickle).
    Expected<QByteArray> dumps(const PyValue &value, QByteArrayView prefix) const;

private:
    int m_protocol;
};

} // namespace cachescope
