#pragma once

#include "common/expected.h"
#include "pyvalue.h"

#include <QByteArrayView>

namespace cachescope {

// Bounds that turn pickle bombs into errors instead of exhausted memory.
struct PickleLimits
{
    // Nesting of containers in values (and of open MARKs). Values that come out of the reader
    // are acyclic and no deeper than this, which is what keeps PyValue's recursive destructor,
    // operator==, repr, the writer and ValueJson within the stack: do not raise it far.
    int maxDepth = 1000;
    qint64 maxMemoEntries = 10'000'000;
    qint64 maxTotalBytes = 512ll << 20;  // bytes of str/bytes payload materialised
    qint64 maxItems = 50'000'000;        // container elements created in total
    // Values the result stands for with every shared reference expanded, as JSON or a tree view
    // shows it: a pickle that references one container twice per level ("billion laughs") is
    // small but expands exponentially.
    qint64 maxExpandedValues = 100'000'000;
};

// Result of reading one pickle: the value and where the STOP opcode ended (data after it is
// not part of the pickle; the legacy FileSystemCache header relies on that).
struct PickleReadResult
{
    PyValue value;
    qint64 endOffset = 0;
    int protocol = 0;
};

// A safe pickle machine for protocols 0-5: builds a PyValue tree, never imports or calls
// anything. GLOBAL/STACK_GLOBAL + REDUCE/NEWOBJ/BUILD become PyValue::Object nodes
// (builtins such as set/frozenset/bytearray/_codecs.encode are folded into native values).
// Errors name the opcode, its offset and the reason ("truncated BINUNICODE at offset 12").
class PickleReader
{
public:
    explicit PickleReader(PickleLimits limits = {}) : m_limits(limits) {}
    Expected<PickleReadResult> read(QByteArrayView data) const;
    // Convenience: the value only.
    Expected<PyValue> loads(QByteArrayView data) const;

private:
    PickleLimits m_limits;
};

} // namespace cachescope
