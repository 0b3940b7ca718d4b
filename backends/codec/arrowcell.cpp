#include "arrowcell.h"

namespace cachescope {

namespace {

PyValue flatten(const Cell &c)
{
    if (c.tag == Cell::Tag::Value)
        return c.value;
    if (c.tag == Cell::Tag::TimeDelta)
        return PyValue::floating(c.seconds);
    return PyValue::str(c.text);
}

const char *unitName(int unit)
{
    switch (unit) {
    case 0: return "s";
    case 1: return "ms";
    case 2: return "us";
    default: return "ns";
    }
}

const ArrowField *child(const ArrowField *f, size_t i)
{
    return f && i < f->children.size() ? &f->children[i] : nullptr;
}

} // namespace

Cell ArrowCell::at(const ArrowArray &a, qint64 row, const ArrowField *field, int depth)
{
    using Id = ArrowType::Id;
    if (!a.isValid(row) || depth > 64)
        return Cell::of(PyValue::none());
    if (a.dictionaryEncoded) {
        if (!a.dictionary)
            return Cell::of(PyValue::none());
        return at(*a.dictionary, a.indexAt(row), field, depth + 1);
    }
    const ArrowType &t = a.type;
    switch (t.id) {
    case Id::Int:
        if (!t.isSigned && t.bitWidth == 64) {
            const quint64 u = a.unsignedAt(row);
            if (u > quint64(std::numeric_limits<qint64>::max()))
                return Cell::of(PyValue::bigIntegerFromDecimal(QByteArray::number(u)));
        }
        return Cell::of(PyValue::integer(a.integerAt(row)));
    case Id::FloatingPoint: return Cell::of(PyValue::floating(a.floatAt(row)));
    case Id::Bool: return Cell::of(PyValue::boolean(a.boolAt(row)));
    case Id::Utf8: case Id::LargeUtf8: return Cell::of(PyValue::str(a.bytesAt(row).toByteArray()));
    case Id::Binary: case Id::LargeBinary: case Id::FixedSizeBinary: return Cell::of(PyValue::bytes(a.bytesAt(row).toByteArray()));
    case Id::Decimal: return Cell::tagged(Cell::Tag::Decimal, a.decimalText(row));
    case Id::Date: {
        const qint64 v = a.integerAt(row);
        const QString iso = t.unit == 0 ? Recognisers::isoFromEpoch(v, "D") : Recognisers::isoFromEpoch(v, "ms");
        return Cell::tagged(Cell::Tag::Date, iso.section(u'T', 0, 0)); // years beyond 0000-9999 are longer
    }
    case Id::Time: {
        const QString iso = Recognisers::isoFromEpoch(a.integerAt(row), unitName(t.unit));
        return Cell::tagged(Cell::Tag::Time, iso.section(u'T', 1));
    }
    case Id::Timestamp: {
        const qint64 v = a.integerAt(row);
        if (t.timezone.isEmpty())
            return Cell::tagged(Cell::Tag::DateTime, Recognisers::isoFromEpoch(v, unitName(t.unit)));
        // Build a UTC instant and let the recogniser's zone logic add the offset.
        QString iso = Recognisers::isoFromEpoch(v, unitName(t.unit));
        PyValue::Object o; // reuse pandas Timestamp recognition: (value, freq, tz, reso)
        o.module = "pandas._libs.tslibs.timestamps";
        o.name = "_unpickle_timestamp";
        o.construction = PyValue::Object::Construction::Reduce;
        PyValue::Object tz;
        tz.module = "zoneinfo.ZoneInfo";
        tz.name = "_unpickle";
        tz.construction = PyValue::Object::Construction::Reduce;
        tz.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::str(t.timezone)});
        o.args = std::make_shared<PyValue::Items>(PyValue::Items{PyValue::integer(v), PyValue::none(), PyValue::object(tz), PyValue::integer(7 + t.unit)});
        if (auto c = Recognisers::scalar(PyValue::object(o)))
            return *c;
        return Cell::tagged(Cell::Tag::DateTime, iso);
    }
    case Id::Duration: {
        Cell c;
        c.tag = Cell::Tag::TimeDelta;
        const double scale = t.unit == 0 ? 1.0 : t.unit == 1 ? 1e3 : t.unit == 2 ? 1e6 : 1e9;
        c.seconds = double(a.integerAt(row)) / scale;
        return c;
    }
    case Id::Interval: {
        const QByteArrayView raw = a.bytesAt(row);
        return Cell::of(PyValue::bytes(raw.toByteArray()));
    }
    case Id::List: case Id::LargeList: case Id::FixedSizeList: {
        PyValue::Items items;
        if (a.children.empty())
            return Cell::of(PyValue::list());
        const auto r = a.listRange(row);
        for (qint64 i = r.first; i < r.second && items.size() < 100000; ++i)
            items.push_back(flatten(at(a.children[0], i, child(field, 0), depth + 1)));
        return Cell::of(PyValue::list(std::move(items)));
    }
    case Id::Map: {
        PyValue::Pairs pairs;
        if (a.children.empty() || a.children[0].children.size() != 2)
            return Cell::of(PyValue::dict());
        const ArrowArray &entries = a.children[0];
        const auto r = a.listRange(row);
        for (qint64 i = r.first; i < r.second && pairs.size() < 100000; ++i)
            pairs.emplace_back(flatten(at(entries.children[0], i, child(child(field, 0), 0), depth + 1)), flatten(at(entries.children[1], i, child(child(field, 0), 1), depth + 1)));
        return Cell::of(PyValue::dict(std::move(pairs)));
    }
    case Id::Struct: {
        PyValue::Pairs pairs;
        for (size_t c = 0; c < a.children.size(); ++c) {
            const ArrowField *f = child(field, c);
            pairs.emplace_back(PyValue::str(f ? f->name : QString::number(c)), flatten(at(a.children[c], row, f, depth + 1)));
        }
        return Cell::of(PyValue::dict(std::move(pairs)));
    }
    case Id::Union: {
        const int c = a.unionChild(row);
        if (c < 0)
            return Cell::of(PyValue::none());
        return at(a.children[size_t(c)], a.unionOffset(row), child(field, size_t(c)), depth + 1);
    }
    default:
        return Cell::of(PyValue::none());
    }
}

} // namespace cachescope
