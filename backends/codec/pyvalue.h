#pragma once

#include <QByteArray>
#include <QList>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

namespace cachescope {

// A Python value as a tree, built by the safe pickle reader and written by the pickle writer.
// Containers are shared (a memoized list referenced twice is one list), like Python references.
// Strings are kept as UTF-8 bytes (Python str may hold lone surrogates, which QString would mangle).
class PyValue
{
public:
    enum class Kind {
        None,
        Bool,
        Int,      // fits in int64
        BigInt,   // arbitrary size, two's complement little-endian bytes (pickle LONG1 layout)
        Float,
        Str,
        Bytes,
        ByteArray,
        List,
        Tuple,
        Dict,
        Set,
        FrozenSet,
        Object,   // anything else: "object from global module.name with args / state"
    };

    using Items = std::vector<PyValue>;
    using Pairs = std::vector<std::pair<PyValue, PyValue>>;

    // "object from global X": how it was made (REDUCE args / NEWOBJ args / kwargs) and the
    // BUILD state; appended list items and set dict items when APPENDS/SETITEMS targeted it.
    struct Object
    {
        QByteArray module;
        QByteArray name;
        enum class Construction { Global, Reduce, NewObj } construction = Construction::Global;
        std::shared_ptr<Items> args;    // positional args tuple, may be null
        std::shared_ptr<Pairs> kwargs;  // NEWOBJ_EX keyword args, may be null
        std::shared_ptr<PyValue> state; // BUILD state, may be null
        Items listItems;
        Pairs dictItems;
        QByteArray qualifiedName() const { return module + '.' + name; }
    };

    PyValue() noexcept {} // None
    PyValue(const PyValue &other) noexcept;
    PyValue(PyValue &&other) noexcept;
    PyValue &operator=(const PyValue &other) noexcept;
    PyValue &operator=(PyValue &&other) noexcept;
    ~PyValue();

    static PyValue none() { return {}; }
    static PyValue boolean(bool b);
    static PyValue integer(qint64 i);
    static PyValue bigInteger(QByteArray twosComplementLittleEndian); // normalised: small ones become Int
    static PyValue bigIntegerFromDecimal(const QByteArray &decimal);   // "-123..." ; Int when it fits
    static PyValue floating(double d);
    static PyValue str(QByteArray utf8);
    static PyValue str(const QString &text);
    static PyValue bytes(QByteArray data);
    static PyValue byteArray(QByteArray data);
    static PyValue list(Items items = {});
    static PyValue tuple(Items items = {});
    static PyValue dict(Pairs pairs = {});
    static PyValue set(Items items = {});
    static PyValue frozenSet(Items items = {});
    static PyValue object(Object object);

    Kind kind() const { return m_kind; }
    bool isNone() const { return m_kind == Kind::None; }
    bool isInt() const { return m_kind == Kind::Int || m_kind == Kind::BigInt; }
    bool isStrLike() const { return m_kind == Kind::Str; }
    bool isSequence() const { return m_kind == Kind::List || m_kind == Kind::Tuple; }

    // The scalar of Bool/Int/Float (read as the other scalar kinds' bits, like a C union); 0 otherwise.
    bool toBool() const { return isScalar() && m_u.b; }
    qint64 toInt() const { return isScalar() ? m_u.i : 0; }
    double toFloat() const { return isScalar() ? m_u.d : 0.0; }
    // Str, Bytes, ByteArray payload; BigInt two's complement bytes.
    const QByteArray &bytesData() const;
    QString toQString() const; // Str as text, a leading U+FEFF kept (QString::fromUtf8 drops it)
    QByteArray bigIntDecimal() const; // decimal text of Int or BigInt

    // List, Tuple, Set, FrozenSet: the items (shared, mutable while a pickle is being read).
    Items &items();
    const Items &items() const;
    Pairs &pairs();
    const Pairs &pairs() const;
    Object &object();
    const Object &object() const;

    // dict lookup by str key; nullptr when absent or not a dict.
    const PyValue *get(const char *key) const;

    // Structural equality (nan equals nan, so round trips compare equal); for tests and dedupe.
    bool operator==(const PyValue &other) const;
    bool operator!=(const PyValue &other) const { return !(*this == other); }

    // Short human-readable Python-like repr, truncated to about maxChars.
    QString repr(int maxChars = 200) const;

    static const char *kindName(Kind kind);

    // Identity of the shared payload (Python's id()): copies of one value share it, equal but
    // separately made values do not. nullptr for None/bool/int/float. The pickle writer memoizes by it.
    const void *identity() const;

private:
    struct Node;
    struct ItemsNode;
    struct PairsNode;
    struct ObjectNode;

    bool isScalar() const { return m_kind == Kind::Bool || m_kind == Kind::Int || m_kind == Kind::Float; }
    bool hasBytes() const
    {
        return m_kind == Kind::Str || m_kind == Kind::Bytes || m_kind == Kind::ByteArray || m_kind == Kind::BigInt;
    }
    bool hasItems() const
    {
        return m_kind == Kind::List || m_kind == Kind::Tuple || m_kind == Kind::Set || m_kind == Kind::FrozenSet;
    }
    bool hasNode() const { return hasItems() || m_kind == Kind::Dict || m_kind == Kind::Object; }
    static PyValue withBytes(Kind kind, QByteArray data);
    static PyValue withItems(Kind kind, Items items);
    void release() noexcept;

    // 32 bytes: a value is a kind plus ONE payload. Scalars are inline; str/bytes/bytearray/
    // big ints are a QByteArray (one allocation, and copies share it, so its data block is the
    // Python id); containers and objects are one intrusively counted node. Reading a 200k-row
    // DataFrame makes hundreds of thousands of these, so size and allocations per value count.
    Kind m_kind = Kind::None;
    union Storage {
        Storage() noexcept : i(0) {}
        ~Storage() {}
        bool b;
        qint64 i;
        double d;
        QByteArray bytes;
        Node *node;
    } m_u;
};

} // namespace cachescope
