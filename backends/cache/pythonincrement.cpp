#include "pythonincrement.h"

namespace cachescope {

namespace {

bool isFalsy(const PyValue &v)
{
    switch (v.kind()) {
    case PyValue::Kind::None:
        return true;
    case PyValue::Kind::Bool:
        return !v.toBool();
    case PyValue::Kind::Int:
        return v.toInt() == 0;
    case PyValue::Kind::Float:
        return v.toFloat() == 0.0;
    case PyValue::Kind::Str:
    case PyValue::Kind::Bytes:
    case PyValue::Kind::ByteArray:
        return v.bytesData().isEmpty();
    case PyValue::Kind::List:
    case PyValue::Kind::Tuple:
    case PyValue::Kind::Set:
    case PyValue::Kind::FrozenSet:
        return v.items().empty();
    case PyValue::Kind::Dict:
        return v.pairs().empty();
    case PyValue::Kind::BigInt:
    case PyValue::Kind::Object:
        return false;
    }
    return false;
}

} // namespace

Expected<qint64> pythonIncrement(const QByteArray &key, const std::optional<PyValue> &current, qint64 delta)
{
    qint64 base = 0;
    if (current && !isFalsy(*current)) {
        if (current->kind() == PyValue::Kind::Int)
            base = current->toInt();
        else if (current->kind() == PyValue::Kind::Bool)
            base = 1;
        else
            return makeError(QStringLiteral("inc(%1): the stored value is a %2, not an int")
                                 .arg(QString::fromUtf8(key), QLatin1String(PyValue::kindName(current->kind()))));
    }
    qint64 next = 0;
    if (__builtin_add_overflow(base, delta, &next))
        return makeError(QStringLiteral("inc(%1): %2 + %3 does not fit in 64 bits")
                             .arg(QString::fromUtf8(key)).arg(base).arg(delta));
    return next;
}

} // namespace cachescope
